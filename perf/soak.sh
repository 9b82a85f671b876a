#!/usr/bin/env bash
# A longer soak than CI's e2e-soak: N concurrent calls through Janus + rtpgate for S seconds
# (tests/e2e/soak.sh; default 8 calls for 30 minutes). Root; one lab at a time on a machine.
# usage: perf/soak.sh [--calls N] [--seconds S] [--call-seconds C] [--build DIR]
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
args=(--calls 8 --seconds 1800 --call-seconds 60)
exec bash "$src/tests/e2e/soak.sh" --build "${RTPGATE_BUILD:-$src/build}" "${args[@]}" "$@"
