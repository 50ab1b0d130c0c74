#!/usr/bin/env bash
# Builds and lints every Bicep file under infra/ with the Bicep CLI from NuGet
# (Azure.Bicep.CommandLine.linux-x64, pinned in infra/tools/bicep.csproj) and fails on ANY
# diagnostic. Type problems such as BCP036 (bad value), BCP037 (unknown property) and BCP081
# (API version without types) are warnings that leave the exit code at 0, so the output is read:
# a clean `bicep build` / `bicep lint` prints nothing at all.
#
# Usage: infra/check-bicep.sh            (from anywhere; exit 0 = clean)
#        BICEP=/path/to/bicep infra/check-bicep.sh   (use a given binary, skip the restore)
set -euo pipefail

infra_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$infra_dir/.." && pwd)"
bicep_version="0.49.2"
package_id="azure.bicep.commandline.linux-x64"

if [[ -z "${BICEP:-}" ]]; then
  # Restore the throwaway project: PackageDownload puts the package in the global packages folder.
  dotnet restore "$infra_dir/tools/bicep.csproj" --nologo --verbosity quiet >/dev/null
  packages_dir="${NUGET_PACKAGES:-}"
  if [[ -z "$packages_dir" ]]; then
    packages_dir="$(dotnet nuget locals global-packages --list | sed -E 's/^global-packages: *//')"
  fi
  BICEP="${packages_dir%/}/$package_id/$bicep_version/tools/bicep"
fi
if [[ ! -x "$BICEP" ]]; then
  chmod +x "$BICEP" 2>/dev/null || true
fi
if [[ ! -x "$BICEP" ]]; then
  echo "check-bicep: Bicep CLI not found at $BICEP" >&2
  exit 2
fi

work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

mapfile -t files < <(cd "$repo_dir" && find infra -name '*.bicep' -not -path '*/obj/*' -not -path '*/bin/*' | sort)
if [[ ${#files[@]} -eq 0 ]]; then
  echo "check-bicep: no .bicep files found under $infra_dir" >&2
  exit 2
fi

echo "check-bicep: $("$BICEP" --version); files: ${files[*]}"
failed=0
diagnostics=0
# One invocation per command covers every file (--pattern); each file is compiled and linted
# with the rules of the repository's bicepconfig.json. Build output goes to a temp directory.
for command in build lint; do
  out_file="$work_dir/$command.txt"
  status=0
  if [[ "$command" == "build" ]]; then
    (cd "$repo_dir" && "$BICEP" build --pattern 'infra/**/*.bicep' --outdir "$work_dir/build") >"$out_file" 2>&1 || status=$?
  else
    (cd "$repo_dir" && "$BICEP" lint --pattern 'infra/**/*.bicep') >"$out_file" 2>&1 || status=$?
  fi
  # A module is compiled on its own and again through main.bicep: report each diagnostic once.
  sort -u -o "$out_file" "$out_file"
  # Diagnostics look like: path(line,col) : Warning BCP081: text [link]
  count="$(grep -cE '\([0-9]+,[0-9]+\) : (Error|Warning|Info) ' "$out_file" || true)"
  diagnostics=$((diagnostics + count))
  # A clean run prints nothing: any output (a diagnostic of any level, or anything else) fails.
  if [[ $status -ne 0 || -s "$out_file" ]]; then
    failed=1
    echo "FAIL bicep $command (exit $status, $count diagnostic(s))"
    sed 's/^/    /' "$out_file"
  else
    echo "ok   bicep $command: ${#files[@]} file(s), no diagnostics"
  fi
done

# bicep build must have produced one ARM template per file.
for file in "${files[@]}"; do
  compiled="$work_dir/build/${file#infra/}"
  if [[ ! -s "${compiled%.bicep}.json" ]]; then
    failed=1
    echo "FAIL no ARM template was built for $file"
  fi
done

# Every parameter named in main.parameters.json must exist in main.bicep (azd passes the file to
# the deployment as is; an unknown name fails only at deployment time).
if command -v jq >/dev/null 2>&1; then
  compiled="$work_dir/build/main.json"
  if [[ -f "$compiled" ]]; then
    unknown="$(jq -r --slurpfile t "$compiled" '.parameters | keys[] as $k | select($t[0].parameters | has($k) | not) | $k' \
      "$infra_dir/main.parameters.json")"
    if [[ -n "$unknown" ]]; then
      failed=1
      echo "FAIL infra/main.parameters.json names parameters main.bicep does not declare: $unknown"
    else
      echo "ok   infra/main.parameters.json parameters are all declared in main.bicep"
    fi
  fi
else
  echo "note jq not found: infra/main.parameters.json not cross-checked"
fi

if [[ $failed -ne 0 ]]; then
  echo "check-bicep: FAILED ($diagnostics diagnostic(s) in ${#files[@]} file(s))"
  exit 1
fi
echo "check-bicep: clean (${#files[@]} file(s), 0 diagnostics)"
