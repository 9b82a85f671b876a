#!/usr/bin/env bash
# Recording benchmark, one run: rtpgate-loop-bench (one worker core, closed net_ring loop,
# 1,000 flows) with 0 %, 10 % and 100 % of the flows recorded to .mjr files by the data
# plane's recorder thread. Prints a Markdown table (forwarding Mpps and its ratio to the
# 0 % run, copies lost, what the recorder wrote per second) and writes
# perf/results/rec-<date>.json. The files go to a temporary directory that is removed.
#
#   perf/run_rec_bench.sh [--seconds S] [--flows N] [--rec-dir DIR] [--out FILE]
#
# Then rtpgate-rec-rate-bench: the highest paced rate recorded with zero lost copies
# (binary search, 2 s trials, 1,000 recorded flows), with the default rec_ring/rec_mbufs
# and with larger ones (65536/131071).
#
# Needs root (EAL). Uses --no-huge. The closed loop offers far more than a disk takes at
# 100 %: the recorder's own ceiling is the written_pps of that row, and lost copies show
# the load shedding (forwarding goes on).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
SECS=3
FLOWS=1000
REC_BASE=""
OUT=""
while (( $# )); do
    case $1 in
        --seconds) SECS=$2; shift ;;
        --flows) FLOWS=$2; shift ;;
        --rec-dir) REC_BASE=$2; shift ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) echo "run_rec_bench: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
[[ $EUID -eq 0 ]] || { echo "run_rec_bench: needs root" >&2; exit 77; }
ninja -C "$BUILD_DIR" perf/rtpgate-loop-bench perf/rtpgate-rec-rate-bench >/dev/null
BENCH=$BUILD_DIR/perf/rtpgate-loop-bench
TMP=$(mktemp -d "${REC_BASE:-/tmp}/rtpgate-rec.XXXXXX")
trap 'rm -rf "$TMP" /var/run/dpdk/recbench$$ /var/run/dpdk/recrate$$' EXIT   # and EAL's runtime directories
cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
WORKER_CPU=$(tr ',-' '\n' <<<"$cpus" | tail -1)
OUT=${OUT:-$REPO/perf/results/rec-$(date +%Y%m%d-%H%M%S).json}
mkdir -p "$(dirname "$OUT")"
: >"$OUT"
for pct in 0 10 100; do
    rm -rf "${TMP:?}"/*
    echo "[rec] $FLOWS flows, $pct % recorded, $SECS s" >&2
    timeout $(( SECS + 60 )) "$BENCH" -l "$WORKER_CPU" --no-pci --no-huge -m 512 --file-prefix "recbench$$" \
        --vdev=net_ring0 -- --label "rec-$pct" --flows "$FLOWS" --seconds "$SECS" --warmup 1 \
        --record-pct "$pct" --rec-dir "$TMP" 2>"$TMP.log" | grep '^{"bench"' >>"$OUT" \
        || { tail -5 "$TMP.log" >&2; rm -f "$TMP.log"; exit 1; }
    echo "[rec] $(du -sh "$TMP" | cut -f1) written" >&2
done
for bufs in "" "--rec-ring 65536 --rec-mbufs 131071"; do
    rm -rf "${TMP:?}"/*
    echo "[rec] zero-loss search ${bufs:-(default buffers)}" >&2
    # shellcheck disable=SC2086 # $bufs holds options
    timeout 300 "$BUILD_DIR/perf/rtpgate-rec-rate-bench" -l "$WORKER_CPU" --no-pci --no-huge -m 1536 \
        --file-prefix "recrate$$" --vdev=net_null0 -- --dir "$TMP/files" --flows "$FLOWS" --trial 2 --steps 6 \
        --max-mpps 2 $bufs 2>"$TMP.log" | grep '^{"bench"' >>"$OUT" || { tail -5 "$TMP.log" >&2; rm -f "$TMP.log"; exit 1; }
done
rm -f "$TMP.log"
python3 - "$OUT" <<'PY'
import json, sys
all_rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
rows = [r for r in all_rows if r["bench"] == "rtpgate-loop"]
rates = [r for r in all_rows if r["bench"] == "rtpgate-rec-rate"]
base = rows[0]["mpps_median"] or 1
print("| recorded | forwarding Mpps (median) | vs 0 % | copies lost | recorder wrote pkts/s | MB/s | files |")
print("|---|---|---|---|---|---|---|")
ok = True
for r in rows:
    rec = r["recording"]
    ok = ok and r["ok"]
    print(f"| {rec['record_pct']} % | {r['mpps_median']:.2f} | {r['mpps_median'] / base:.2f} | "
          f"{rec['copies_lost_pct']:.1f} % | {rec['written_pps']:,.0f} | {rec['written_mbytes_per_s']:.0f} | "
          f"{rec['files_closed']}/{rec['recordings']} |")
print("\n| recorder buffers | zero-loss recorded Mpps | MB/s | G.711 streams |")
print("|---|---|---|---|")
for r, label in zip(rates, ["defaults (rec_ring 4096, rec_mbufs 16383)", "rec_ring 65536, rec_mbufs 131071"]):
    print(f"| {label} | {r['zero_loss_mpps']:.3f} | {r['zero_loss_mbytes_per_s']:.0f} | {r['g711_streams']:,.0f} |")
    ok = ok and r["zero_loss_mpps"] > 0
print(f"\nresults: {sys.argv[1]}; every run forwarded with no forwarding drop: {ok}")
sys.exit(0 if ok else 1)
PY
