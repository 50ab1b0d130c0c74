#!/usr/bin/env bash
# Benchmark harness: starts a throw-away Azurite on free ports and runs the load driver (or --micro).
#   bench/run.sh                 500 cases on the Azure Storage backend and in memory, side by side
#   bench/run.sh --cases 100 --tune
#   bench/run.sh --micro
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund
dotnet build bench/Imr.Bench/Imr.Bench.csproj -c Release -v quiet -nologo

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
blob=$(free_port); queue=$(free_port); table=$(free_port)
data=$(mktemp -d -t imr-bench-azurite-XXXXXX)
node_modules/.bin/azurite --silent --location "$data" --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --blobPort "$blob" --queuePort "$queue" --tablePort "$table" --skipApiVersionCheck --loose >"$data/azurite.log" 2>&1 &
azurite_pid=$!
cleanup() {
  kill -TERM "$azurite_pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$azurite_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$azurite_pid" 2>/dev/null || true
  wait "$azurite_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$table") 2>/dev/null && break; sleep 0.1; done

key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
export IMR_BENCH_STORAGE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
export IMR_BENCH_AZURITE_PID=$azurite_pid
# The in-memory sidecar's concurrency limits follow the processor count; raise them so it is a true upper bound.
export DOTNET_PROCESSOR_COUNT="${DOTNET_PROCESSOR_COUNT:-64}"
dotnet bench/Imr.Bench/bin/Release/net10.0/Imr.Bench.dll "$@"
