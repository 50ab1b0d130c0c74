#!/usr/bin/env bash
# Runs every test: starts a throw-away Azurite on free ports, runs `dotnet test ImrFunctions.sln`, stops Azurite.
set -euo pipefail
cd "$(dirname "$0")"

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK is required (dotnet not found)" >&2; exit 1; }
command -v node >/dev/null || { echo "test.sh: Node.js is required for Azurite (node not found)" >&2; exit 1; }
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
# Browser tests drive Debian's Chromium through Playwright (never Playwright's own browser download).
if ! command -v chromium >/dev/null; then
  echo "test.sh: installing Debian's chromium for the browser tests" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium >/dev/null; fi
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
blob=$(free_port); queue=$(free_port); table=$(free_port)
data=$(mktemp -d -t imr-azurite-XXXXXX)
node_modules/.bin/azurite --silent --location "$data" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" --skipApiVersionCheck --loose >"$data/azurite.log" 2>&1 &
azurite_pid=$!
cleanup() {
  # Azurite's graceful stop can wait minutes on idle connections; its data here is thrown away, so stop it hard after a moment.
  kill -TERM "$azurite_pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$azurite_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$azurite_pid" 2>/dev/null || true
  wait "$azurite_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$table") 2>/dev/null && break; sleep 0.1; done

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export IMR_TEST_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
# Many orchestrations on the in-memory sidecar: its concurrency limits follow the processor count (see README).
export DOTNET_PROCESSOR_COUNT="${DOTNET_PROCESSOR_COUNT:-64}"

# Infrastructure: every Bicep file builds and lints with no diagnostic at all.
bash infra/check-bicep.sh

# The Functions app publishes; a test checks its functions.metadata against what the local runtime serves.
dotnet publish functions/Imr.Functions.csproj -c Release -o "$data/publish" -v quiet -nologo
export IMR_PUBLISHED_FUNCTIONS="$data/publish"

dotnet test ImrFunctions.sln "$@"
