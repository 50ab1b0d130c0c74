#!/usr/bin/env bash
# Benchmark harness: starts a throw-away Azurite on free ports and runs the load driver (or --micro).
# Two modes, each on both durable backends (AzureStorage: the provider Durable Functions uses in Azure; InMemory: no
# storage of its own, so its requests are the application's) unless --backends says otherwise:
#   burst  (default)  --cases N cases uploaded at once: capacity (cases/min) and storage requests per case.
#   steady (--steady) cases arrive at a fixed rate for --minutes M (default 5), open loop (on a schedule, whatever
#                     completes), reviewers answering as in a burst: what a user waits, upload→offer and
#                     submit→closed p50/p95/p99. --rate R cases/min; default half the same backend's burst throughput
#                     when --burst runs first in the same invocation, else 60/min.
# The report (json, md, svg/png) lists the command, the machine, every request kind per case with the durable
# provider's share apart, and the requests by table, container and queue.
#   bench/run.sh                                  burst of 500 on both backends, side by side
#   bench/run.sh --steady --rate 60 --minutes 5   steady load on both backends
#   bench/run.sh --burst --steady --cases 200     a burst, then steady load at half its throughput, per backend
#   bench/run.sh --cases 100 --tune               also the Azure Storage backend with alternative durable settings
#   bench/run.sh --steady --set LocalRuntime:MaxQueuePollingInterval=00:00:00.5   any runtime setting, every run
#   bench/run.sh --cases 200 --mix bench/results/dmhc-mix.json   the real DMHC case mix (categories and kinds weighted as
#                     the published determinations, bench/DmhcMix) and the roster samples/dmhc-roster.json
#   bench/run.sh --micro
#   bench/run.sh --azurite-costs                 what one request of each kind costs the emulator as its account fills up
# Options: --backends AzureStorage,InMemory  --timeout-minutes M  --out DIR (default bench/results).
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build bench/Imr.Bench/Imr.Bench.csproj -c Release -v quiet -nologo

# Azurite keeps its data in memory here: what is measured is the system, not the emulator's JSON dumps to disk. It runs
# one process per service, as Azure's blob, queue and table services are separate: one Node process serialises all
# three on one thread (AZURITE_SPLIT= bench/run.sh … runs it as one process; the report's machine line says which).
export AZURITE_IN_MEMORY=1
export AZURITE_SPLIT=${AZURITE_SPLIT-1}
source scripts/throwaway-azurite.sh
export IMR_BENCH_STORAGE="$AZURITE_CONNECTION_STRING"
export IMR_BENCH_AZURITE_PIDS="$AZURITE_PIDS"
export IMR_BENCH_EMULATOR="Azurite $(node -p 'require("./node_modules/azurite/package.json").version'), $([ -n "$AZURITE_SPLIT" ] && echo 'one process per service' || echo 'one process'), in memory"
# The machine's own processor count: the runtime gives the in-memory sidecar the same concurrency limits as the Azure
# Storage provider (LocalRuntime:MaxConcurrentActivities/Orchestrations), so the count is not raised any more (raised to
# 64 it sized the thread pool for 64 cores, whose idle workers spun on 2: a fifth less throughput, measured).
dotnet bench/Imr.Bench/bin/Release/net10.0/Imr.Bench.dll "$@"
