#!/bin/sh
# azd postdeploy hook: the intake/roster Event Grid subscriptions can only be created once the code runs (their
# webhook carries the blob extension's system key, which the host creates on its first start with an Event Grid blob
# trigger, and Event Grid validates the endpoint): see infra/README.md, "Deploy order". So the first `azd up` ends
# with a second provision that adds them; later runs find ENABLE_INTAKE_EVENT_SUBSCRIPTION=true and only wait for health.
# The same steps for Windows: postdeploy.ps1.
set -eu

# Wait until the new code answers /api/health with a 2xx (curl -f fails on 4xx/5xx, so this really waits): the host
# has started (the blob extension's key exists) and storage, the durable backend and the signing key are usable.
wait_healthy() {
  [ -n "${SERVICE_API_URI:-}" ] || { echo "postdeploy: SERVICE_API_URI is not set" >&2; return 1; }
  attempts="${POSTDEPLOY_HEALTH_ATTEMPTS:-30}"
  i=1
  while [ "$i" -le "$attempts" ]; do
    if curl -fsS -o /dev/null -m 30 "${SERVICE_API_URI}/api/health"; then
      echo "postdeploy: ${SERVICE_API_URI}/api/health answered 2xx"
      return 0
    fi
    echo "postdeploy: waiting for ${SERVICE_API_URI}/api/health (attempt $i of $attempts)"
    i=$((i + 1))
    sleep "${POSTDEPLOY_HEALTH_INTERVAL:-10}"
  done
  echo "postdeploy: the app did not become healthy; see docs/operations.md (health) and the app's logs" >&2
  return 1
}

wait_healthy

if [ "${ENABLE_INTAKE_EVENT_SUBSCRIPTION:-false}" = "true" ]; then
  exit 0
fi

echo "postdeploy: adding the Event Grid subscriptions of the blob triggers (second provision)"
azd env set ENABLE_INTAKE_EVENT_SUBSCRIPTION true
azd provision --no-prompt
