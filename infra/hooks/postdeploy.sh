#!/bin/sh
# azd postdeploy hook: the intake/roster Event Grid subscriptions can only be created once the code runs (their
# webhook carries the blob extension's system key, which the host creates on its first start with an Event Grid blob
# trigger, and Event Grid validates the endpoint): see infra/README.md, "Deploy order". So the first `azd up` ends
# with a second provision that adds them; later runs find ENABLE_INTAKE_EVENT_SUBSCRIPTION=true and do nothing.
set -eu

if [ "${ENABLE_INTAKE_EVENT_SUBSCRIPTION:-false}" = "true" ]; then
  exit 0
fi

# Start the host (any request does; 401 without a key is fine) so the blob extension's key exists.
if [ -n "${SERVICE_API_URI:-}" ]; then
  for attempt in 1 2 3 4 5 6; do
    if curl -s -o /dev/null -m 30 "${SERVICE_API_URI}/api/cases/warm-up"; then break; fi
    sleep 10
  done
fi

echo "postdeploy: adding the Event Grid subscriptions of the blob triggers (second provision)"
azd env set ENABLE_INTAKE_EVENT_SUBSCRIPTION true
azd provision --no-prompt
