#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine (root): installs dependencies, builds,
# then runs every meson test suite, printing each suite's wall time and a final
# "N passed, N failed, N skipped" line. Exit status is non-zero if any test failed.
# usage: scripts/test.sh [SUITE...]      (default: unit integration conformance e2e perf sanitize)
# "sanitize" is scripts/sanitize.sh: a second build (clang, ASan + UBSan, libFuzzer) running the
# unit suite, every fuzz target for a few seconds and part of the integration suite.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${RTPGATE_BUILD_DIR:-build}
suites=("$@")
(( ${#suites[@]} )) || suites=(unit integration conformance e2e perf sanitize)

t0=$(date +%s)
bash scripts/setup.sh || { echo "test: set-up failed" >&2; exit 1; }
echo "[test] set-up and build: $(( $(date +%s) - t0 )) s"

passed=0 failed=0 skipped=0
declare -a times
for s in "${suites[@]}"; do
  start=$(date +%s)
  out=$(mktemp)
  # Each suite keeps its own full log (every scenario table of the e2e suite included).
  if [[ $s == sanitize ]]; then
    bash scripts/sanitize.sh 2>&1 | tee "$out"   # its meson summaries count like the others
  else
    meson test -C "$build" --suite "$s" --print-errorlogs --num-processes 1 --logbase "testlog-$s" 2>&1 | tee "$out"
  fi
  secs=$(( $(date +%s) - start ))
  ok=$(awk '/^Ok:/ {n += $2} END {print n+0}' "$out")
  fl=$(awk '/^(Fail|Timeout|Unexpected Pass):/ {n += $NF} END {print n+0}' "$out")
  sk=$(awk '/^Skipped:/ {n += $2} END {print n+0}' "$out")
  if ! grep -q '^Ok:' "$out"; then fl=$(( fl + 1 )); echo "[test] suite $s: meson test did not run"; fi
  rm -f "$out"
  passed=$(( passed + ok )); failed=$(( failed + fl )); skipped=$(( skipped + sk ))
  times+=("suite $s: ${secs} s (ok $ok, failed $fl, skipped $sk)")
done
echo
echo "[test] wall time per suite:"
printf '[test]   %s\n' "${times[@]}"
echo "[test] total: $(( $(date +%s) - t0 )) s (full logs: $build/meson-logs/testlog-SUITE.txt)"
echo "$passed passed, $failed failed, $skipped skipped"
(( failed == 0 ))
