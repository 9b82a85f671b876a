#!/usr/bin/env bash
# Sanitizer run (issue 10): configures build-san (clang, AddressSanitizer + UndefinedBehaviorSanitizer,
# libFuzzer targets), builds it, then runs there the meson suites 'unit' and 'fuzz' (every
# libFuzzer target for a few seconds, about a minute in all) and a subset of 'integration' (the
# data plane built with the sanitizers relaying real traffic on the lab topology: forwarding,
# malformed packets, SRTP, reloads). Prints each step's wall time and meson's summary lines;
# exit status is non-zero if any step failed.
# usage: scripts/sanitize.sh        (env: RTPGATE_SAN_BUILD_DIR, default build-san)
# Needs clang and libclang-rt-14-dev (scripts/setup.sh --no-build installs them).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${RTPGATE_SAN_BUILD_DIR:-build-san}
failed=0
declare -a times

step() {  # step NAME CMD...: runs CMD, records its wall time and outcome
  local name=$1; shift
  local start rc
  start=$(date +%s)
  "$@"
  rc=$?
  times+=("$name: $(( $(date +%s) - start )) s (exit $rc)")
  (( rc == 0 )) || failed=1
  return "$rc"
}

configure() {
  if [[ -f $build/build.ninja ]]; then
    meson setup --reconfigure "$build" >/dev/null
  else
    CC=clang CXX=clang++ meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true
  fi
}

suite() {  # suite NAME [TEST...]: meson test, its summary lines kept for the end
  local out rc name=$1
  shift
  out=$(mktemp)
  meson test -C "$build" --suite "$name" --print-errorlogs --num-processes 1 --logbase "testlog-san-$name" "$@" 2>&1 |
    tee "$out"
  rc=${PIPESTATUS[0]}
  summaries+=("suite $name: $(awk '/^(Ok|Fail|Skipped|Timeout|Unexpected Pass):/ {n = $NF; $NF = ""; printf "%s%s  ", $0, n}' "$out")")
  grep -h '^\[fuzz\] ' "$build"/meson-logs/"testlog-san-$name".txt 2>/dev/null | sort -u >>"$fuzz_lines"
  rm -f "$out"
  return "$rc"
}

declare -a summaries
fuzz_lines=$(mktemp)
trap 'rm -f "$fuzz_lines"' EXIT

if step configure configure && step build nice ninja -C "$build"; then
  step "suite unit" suite unit
  step "suite fuzz" suite fuzz
  step "suite integration (subset)" suite integration forward malformed srtp reload
fi

echo
echo "[sanitize] wall time per step:"
printf '[sanitize]   %s\n' "${times[@]}"
(( ${#summaries[@]} )) && printf '[sanitize] %s\n' "${summaries[@]}"
[[ -s $fuzz_lines ]] && sed 's/^/[sanitize] /' "$fuzz_lines"
echo "[sanitize] logs: $build/meson-logs/testlog-san-{unit,fuzz,integration}.txt; fuzz reproducers: $build/meson-logs/fuzz-artifacts/"
(( failed == 0 )) && echo "[sanitize] passed" || echo "[sanitize] FAILED"
(( failed == 0 ))
