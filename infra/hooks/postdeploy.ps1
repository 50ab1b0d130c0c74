# azd postdeploy hook for Windows (PowerShell 7+), the same steps as postdeploy.sh: wait until /api/health answers
# 2xx, then, on the first deployment only, add the blob triggers' Event Grid subscriptions with a second provision.
$ErrorActionPreference = 'Stop'

if (-not $env:SERVICE_API_URI) { throw 'postdeploy: SERVICE_API_URI is not set' }
$attempts = if ($env:POSTDEPLOY_HEALTH_ATTEMPTS) { [int]$env:POSTDEPLOY_HEALTH_ATTEMPTS } else { 30 }
$interval = if ($env:POSTDEPLOY_HEALTH_INTERVAL) { [int]$env:POSTDEPLOY_HEALTH_INTERVAL } else { 10 }
$healthy = $false
for ($i = 1; $i -le $attempts; $i++) {
    try {
        # Invoke-WebRequest throws on any non-2xx status: this loop really waits for a healthy app.
        Invoke-WebRequest -Uri "$($env:SERVICE_API_URI)/api/health" -Method Get -TimeoutSec 30 -UseBasicParsing | Out-Null
        Write-Host "postdeploy: $($env:SERVICE_API_URI)/api/health answered 2xx"
        $healthy = $true
        break
    }
    catch {
        Write-Host "postdeploy: waiting for $($env:SERVICE_API_URI)/api/health (attempt $i of $attempts)"
        Start-Sleep -Seconds $interval
    }
}
if (-not $healthy) { throw 'postdeploy: the app did not become healthy; see docs/operations.md (health) and the app''s logs' }

if ($env:ENABLE_INTAKE_EVENT_SUBSCRIPTION -eq 'true') { exit 0 }

Write-Host 'postdeploy: adding the Event Grid subscriptions of the blob triggers (second provision)'
azd env set ENABLE_INTAKE_EVENT_SUBSCRIPTION true
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
azd provision --no-prompt
exit $LASTEXITCODE
