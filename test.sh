#!/usr/bin/env bash
# Runs every test: builds the solution once, starts a throw-away Azurite on free ports, runs each test project once
# (--no-build), stops Azurite. Arguments go to every `dotnet test` (e.g. --filter "FullyQualifiedName~IntakeTests").
#   ./test.sh --unit   only the fast unit tests (domain and Functions units: no storage, no browser; seconds)
# Where the time goes and how to run each part alone: docs/testing.md.
set -euo pipefail
cd "$(dirname "$0")"
nonu() { grep --line-buffered -v 'warning NU1603' || true; } # NU1603: a package resolved to a nearby version; harmless

if [ "${1:-}" = "--unit" ]; then
  shift
  dotnet test tests/Imr.Domain.Tests "$@" 2>&1 | nonu
  dotnet test tests/Imr.Functions.UnitTests "$@" 2>&1 | nonu
  exit 0
fi

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK is required (dotnet not found)" >&2; exit 1; }
command -v node >/dev/null || { echo "test.sh: Node.js is required for Azurite (node not found)" >&2; exit 1; }
# What a fresh machine lacks is fetched beside the build (each is mostly download and unpacking, not CPU): Debian's
# Chromium for the browser tests (never Playwright's own browser download) and Azurite from npm. Their result is
# checked before the first test that needs them. (On a fresh CI machine they took 62 s and 30 s one after the other.)
prereq_log=$(mktemp -t imr-prereq-XXXXXX)
(
  set -e
  if ! command -v chromium >/dev/null; then
    echo "test.sh: installing Debian's chromium for the browser tests"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
    else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium >/dev/null; fi
  fi
  [ -x node_modules/.bin/azurite ] || npm ci --no-audit --no-fund --loglevel=error
) >"$prereq_log" 2>&1 &
prereq_pid=$!

# Infrastructure: every Bicep file builds and lints with no diagnostic at all; the postdeploy hook's test. They wait on
# the Bicep CLI more than they use the CPU, so they run beside the build and the tests; their result is checked at the end.
infra_log=$(mktemp -t imr-infra-XXXXXX)
( bash infra/check-bicep.sh && bash infra/hooks/test-postdeploy.sh ) >"$infra_log" 2>&1 &
infra_pid=$!

# One build of everything (Debug); every step after it uses that build (--no-build).
started=$SECONDS
dotnet build ImrFunctions.sln -nologo -v q 2>&1 | nonu
echo "test.sh: built in $((SECONDS - started)) s"

# The Functions app publishes (from the same build); a test checks its functions.metadata against what the local runtime serves.
dotnet publish functions/Imr.Functions.csproj -c Debug --no-build -o functions/obj/test-publish -v quiet -nologo 2>&1 | nonu
export IMR_PUBLISHED_FUNCTIONS="$PWD/functions/obj/test-publish"

status=0 # every project runs; the script fails at the end if any did
# Fast projects first: a failure there shows in seconds.
if ! dotnet test tests/Imr.Domain.Tests --no-build --nologo "$@" 2>&1 | nonu; then status=1; fi
if ! dotnet test tests/Imr.Functions.UnitTests --no-build --nologo "$@" 2>&1 | nonu; then status=1; fi

# The tests that use the SDK's DurableTaskTestHost (WorkflowTestHost) start many orchestrations on its in-memory service,
# whose limits follow the processor count and cannot be set otherwise (the local runtime sets its own from its options).
export DOTNET_PROCESSOR_COUNT="${DOTNET_PROCESSOR_COUNT:-64}"
# Imr.Functions.Tests runs in three shards at once, each against its own throw-away Azurite: within one storage account
# the tests run one at a time (they share the intake container and the deadline index), and they wait far more than
# they compute, so separate accounts cut the wall time until the two cores are busy. A new test class lands in the
# last shard by itself. (Measured on this 2-core machine: one run 11 min 14 s; two shards 8 min 20 s; three 7 min 36 s,
# load average 14 during it, so a fourth would only queue for the CPU. docs/testing.md has the figures.)
# With a --filter of the caller's own, one run (one Azurite).
prereq_status=0
wait "$prereq_pid" || prereq_status=$?
cat "$prereq_log"; rm -f "$prereq_log"
[ "$prereq_status" = 0 ] || { echo "test.sh: installing chromium or Azurite (npm ci) failed; see above" >&2; exit 1; }
shard() { # shard NAME FILTER...: one dotnet test against its own Azurite, its lines prefixed with NAME
  local name=$1; shift
  ( AZURITE_WATCHDOG=1 source scripts/throwaway-azurite.sh # an emulator crash is reported and the emulator restarted
    export IMR_TEST_STORAGE="$AZURITE_CONNECTION_STRING"
    dotnet test tests/Imr.Functions.Tests --no-build --nologo "$@" 2>&1 | nonu | sed -u "s/^/[$name] /"
    exit "${PIPESTATUS[0]}" )
}
started=$SECONDS
if [[ " $* " == *" --filter "* ]]; then
  if ! shard all "$@"; then status=1; fi
else
  # Shard 1: the browser tests and the chaos harness's; shard 2: the five longest classes (runtime restarts, signals,
  # versions, timers); shard 3: everything else. Each is about a third of the time.
  long=(AnswerDurabilityTests CleanStopTests WorkflowVersioningTests DeadlineOrchestrationTests DurabilityTests)
  browser='FullyQualifiedName~Imr.Functions.Tests.Browser.|FullyQualifiedName~Imr.Functions.Tests.ChaosHarnessTests'
  in_long=$(printf 'FullyQualifiedName~Imr.Functions.Tests.%s|' "${long[@]}"); in_long=${in_long%|}
  rest="FullyQualifiedName!~Imr.Functions.Tests.Browser.&FullyQualifiedName!~Imr.Functions.Tests.ChaosHarnessTests&$(printf 'FullyQualifiedName!~Imr.Functions.Tests.%s&' "${long[@]}")"; rest=${rest%&}
  shard 1 --filter "$browser" "$@" & first_pid=$!
  shard 2 --filter "$in_long" "$@" & second_pid=$!
  if ! shard 3 --filter "$rest" "$@"; then status=1; fi
  wait "$first_pid" || status=1
  wait "$second_pid" || status=1
fi
echo "test.sh: Imr.Functions.Tests ran in $((SECONDS - started)) s"

infra_status=0
wait "$infra_pid" || infra_status=$?
cat "$infra_log"; rm -f "$infra_log"
[ "$infra_status" = 0 ] || { echo "test.sh: the infrastructure checks failed" >&2; status=1; }
exit "$status"
