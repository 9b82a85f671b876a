#!/usr/bin/env bash
# One bounded libFuzzer run (meson suite 'fuzz' in -Dfuzz=true builds):
#   run_fuzz.sh TARGET_EXE SEED_DIR SECONDS ARTIFACT_DIR
# libFuzzer writes new inputs into its first corpus directory, so that is a temporary one and
# the checked-in seeds come second (read only). A crash, leak, timeout or sanitizer finding
# fails the test (exit 1; libFuzzer's own default for a crash, 77, would read as a skip) and
# leaves the reproducer in ARTIFACT_DIR. Prints the number of executions.
set -uo pipefail
exe=$1 seeds=$2 secs=$3 artifacts=$4
name=$(basename "$exe")
work=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$work" "$log"' EXIT
mkdir -p "$artifacts"
start=$SECONDS
"$exe" -max_total_time="$secs" -timeout=10 -seed=1 -error_exitcode=1 -timeout_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$artifacts/$name-" "$work" "$seeds" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
runs=$(awk '/^stat::number_of_executed_units:/ {print $2}' "$log")
echo "[fuzz] $name: ${runs:-?} executions in $(( SECONDS - start )) s, exit $rc"
exit "$rc"
