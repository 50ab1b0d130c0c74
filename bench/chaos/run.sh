#!/usr/bin/env bash
# Fault-injection harness: N cases end to end on the Azure Storage backend (the local runtime as a child process on a
# throw-away Azurite it starts itself), the runtime SIGKILLed K times, Azurite stopped once; then every case is checked.
#   bench/chaos/run.sh --cases 200 --kills 30            writes bench/results/chaos-200x30.md; exit 1 if anything was lost
#   bench/chaos/run.sh --cases 40 --kills 8 --outage-seconds 15 --settle-minutes 5 --seed 7 --set Imr:ReconcileRestart=true
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
dotnet build bench/Imr.Bench/Imr.Bench.csproj -c Release -v quiet -nologo
dotnet bench/Imr.Bench/bin/Release/net10.0/Imr.Bench.dll --chaos "$@"
