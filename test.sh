#!/usr/bin/env bash
# Runs every test: starts a throw-away Azurite on free ports, runs `dotnet test ImrFunctions.sln`, stops Azurite.
#   ./test.sh --unit   only the fast unit tests (domain and Functions units: no storage, no browser; seconds)
set -euo pipefail
cd "$(dirname "$0")"

if [ "${1:-}" = "--unit" ]; then
  shift
  dotnet test tests/Imr.Domain.Tests "$@" 2>&1 | { grep --line-buffered -v 'warning NU1603' || true; }
  dotnet test tests/Imr.Functions.UnitTests "$@" 2>&1 | { grep --line-buffered -v 'warning NU1603' || true; }
  exit 0
fi

command -v dotnet >/dev/null || { echo "test.sh: the .NET 10 SDK is required (dotnet not found)" >&2; exit 1; }
command -v node >/dev/null || { echo "test.sh: Node.js is required for Azurite (node not found)" >&2; exit 1; }
# Browser tests drive Debian's Chromium through Playwright (never Playwright's own browser download).
if ! command -v chromium >/dev/null; then
  echo "test.sh: installing Debian's chromium for the browser tests" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo -n apt-get update -qq && sudo -n apt-get install -y -qq chromium >/dev/null; fi
fi

source scripts/throwaway-azurite.sh
export IMR_TEST_STORAGE="$AZURITE_CONNECTION_STRING"
# Many orchestrations on the in-memory sidecar: its concurrency limits follow the processor count (see README).
export DOTNET_PROCESSOR_COUNT="${DOTNET_PROCESSOR_COUNT:-64}"

# Infrastructure: every Bicep file builds and lints with no diagnostic at all.
bash infra/check-bicep.sh
bash infra/hooks/test-postdeploy.sh

# The Functions app publishes; a test checks its functions.metadata against what the local runtime serves.
# (NU1603 lines: a package resolved to a nearby version; harmless, kept out of the output, still warnings in the build.)
dotnet publish functions/Imr.Functions.csproj -c Release -o functions/obj/test-publish -v quiet -nologo 2>&1 | { grep -v 'warning NU1603' || true; }
export IMR_PUBLISHED_FUNCTIONS="$PWD/functions/obj/test-publish"

dotnet test ImrFunctions.sln "$@" 2>&1 | { grep --line-buffered -v 'warning NU1603' || true; }
