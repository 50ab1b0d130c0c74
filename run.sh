#!/usr/bin/env bash
# Runs the IMR Functions app locally on a fresh machine: installs what is missing, builds, starts Azurite
# (unless something already listens on the storage port) and the local runtime.
#   ./run.sh           keep serving on http://localhost:7071/api
#   ./run.sh --demo    push the sample case from upload to issued letter, save it under out/<case>/, print links, stop
#   ./run.sh --demo --keep   the same, then keep Azurite and the app (with the console's development sign-in) until Ctrl+C
#   ./run.sh --demo-escalation   the same case with compressed time: reminders, a missed reviewer due date, reassignment
#   ./run.sh --console keep serving, with the development sign-in of the staff console (http://127.0.0.1:7071/api/staff/cases)
#   ./run.sh upload <folder>   upload a case folder (documents, then manifest.json) to the local intake container;
#                      run it beside a serving ./run.sh (else the case starts when ./run.sh next serves)
set -euo pipefail
# The folder is the caller's path: resolve it before moving to the repository root.
if [ "${1:-}" = "upload" ]; then
  [ -n "${2:-}" ] && [ -d "$2" ] || { echo "usage: ./run.sh upload <case folder>  (e.g. samples/sample-case/CM13-0012345)" >&2; exit 2; }
  set -- --upload "$(cd "$2" && pwd)"
fi
cd "$(dirname "$0")"
root=$(pwd)

command -v dotnet >/dev/null || { echo "run.sh: the .NET 10 SDK is required (dotnet not found)" >&2; exit 1; }
command -v node >/dev/null || { echo "run.sh: Node.js is required for Azurite (node not found)" >&2; exit 1; }
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund

# The 36 NU1603 lines (a package resolved to a nearby version: harmless, still warnings in the build) are kept out of
# the output; every other line, and a failed build's exit code (pipefail), still come through.
dotnet build localruntime/Imr.LocalRuntime/Imr.LocalRuntime.csproj -c Release -v quiet -nologo 2>&1 | { grep -v 'warning NU1603' || true; }

azurite_pid=""
cleanup() {
  # SIGTERM first: Azurite saves its metadata on a clean stop (and every few seconds). Its graceful stop can
  # wait minutes on idle connections, so after 20 s it is stopped hard.
  if [ -n "$azurite_pid" ]; then
    kill -TERM "$azurite_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$azurite_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$azurite_pid" 2>/dev/null || true
    wait "$azurite_pid" 2>/dev/null || true
  fi
}
app_pid=""
# Ctrl+C (SIGINT) and SIGTERM go to the runtime as SIGTERM, which stops it cleanly within seconds (exit 0); the script
# then stops Azurite and exits with the runtime's code. (A background child of a script ignores SIGINT, hence TERM.)
stop() {
  if [ -n "$app_pid" ]; then kill -TERM "$app_pid" 2>/dev/null || true; else exit 130; fi
}
trap cleanup EXIT
trap stop INT TERM

if ! (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
  mkdir -p .local/azurite
  node_modules/.bin/azurite --silent --location .local/azurite --blobPort 10000 --queuePort 10001 --tablePort 10002 \
    --skipApiVersionCheck --loose >.local/azurite.log 2>&1 &
  azurite_pid=$!
  for _ in $(seq 1 50); do (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break; sleep 0.2; done
  echo "Azurite started (data in .local/azurite, log in .local/azurite.log)"
fi

dotnet localruntime/Imr.LocalRuntime/bin/Release/net10.0/Imr.LocalRuntime.dll "$@" &
app_pid=$!
# wait returns early when a trapped signal arrives: wait again until the runtime has really stopped.
status=0
while kill -0 "$app_pid" 2>/dev/null; do
  wait "$app_pid" && status=0 || status=$?
done
exit "$status"
