#!/usr/bin/env bash
# Benchmark harness: starts a throw-away Azurite on free ports and runs the load driver (or --micro).
#   bench/run.sh                 500 cases on the Azure Storage backend and in memory, side by side
#   bench/run.sh --cases 100 --tune
#   bench/run.sh --micro
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Imr.Bench/Imr.Bench.csproj -c Release -v quiet -nologo

# Azurite keeps its data in memory here: what is measured is the system, not the emulator's JSON dumps to disk.
export AZURITE_IN_MEMORY=1
source scripts/throwaway-azurite.sh
export IMR_BENCH_STORAGE="$AZURITE_CONNECTION_STRING"
export IMR_BENCH_AZURITE_PID=$AZURITE_PID
# The in-memory sidecar's concurrency limits follow the processor count; raise them so it is a true upper bound.
export DOTNET_PROCESSOR_COUNT="${DOTNET_PROCESSOR_COUNT:-64}"
dotnet bench/Imr.Bench/bin/Release/net10.0/Imr.Bench.dll "$@"
