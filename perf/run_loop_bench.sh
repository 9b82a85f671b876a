#!/usr/bin/env bash
# Closed-loop forwarding benchmark, one run: testpmd (5tswap, macswap) and rtpgate-loop-bench
# (1,000 and 1,000,000 flows) on a single net_ring vdev looping TX back to RX, one worker
# core. Prints a Markdown table and writes perf/results/loop-<date>.json. See perf/README.md.
#
#   perf/run_loop_bench.sh [--seconds S] [--large-flows N] [--no-testpmd] [--no-huge] [--out FILE]
#   perf/run_loop_bench.sh --smoke [--bench PATH]     # CI: 1,000 flows, 2 s, no hugepages
#
# Needs root. Smoke mode exits 77 (skip) without it, 0 when packets were forwarded with no
# drop and every frame came back with valid checksums, 1 otherwise.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
BENCH=""
SMOKE=0
SECONDS_PER_RUN=10
LARGE_FLOWS=1000000
RUN_TESTPMD=1
RUN_HUGE=1
OUT=""
PKT_SIZE=214

while (( $# )); do
    case $1 in
        --smoke) SMOKE=1 ;;
        --bench) BENCH=$2; shift ;;
        --seconds) SECONDS_PER_RUN=$2; shift ;;
        --large-flows) LARGE_FLOWS=$2; shift ;;
        --no-testpmd) RUN_TESTPMD=0 ;;
        --no-huge) RUN_HUGE=0 ;;
        --out) OUT=$2; shift ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "run_loop_bench: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done

log() { printf '[loop] %s\n' "$*" >&2; }

if [[ $EUID -ne 0 ]]; then
    log "needs root (DPDK EAL, shared memory, hugepages)"
    (( SMOKE )) && exit 77
    exit 1
fi

if [[ -z "$BENCH" ]]; then
    ninja -C "$BUILD_DIR" perf/rtpgate-loop-bench >/dev/null
    BENCH=$BUILD_DIR/perf/rtpgate-loop-bench
fi
[[ -x "$BENCH" ]] || { log "no benchmark binary at $BENCH"; exit 1; }

# CPUs: the worker (and testpmd's forwarding core) on the last allowed CPU; EAL control
# threads, the benchmark's control thread and testpmd's main lcore on the first.
cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/self/status)
WORKER_CPU=$(tr ',-' '\n' <<<"$cpus" | tail -1)
CTL_CPU=$(tr ',-' '\n' <<<"$cpus" | head -1)

TMP=$(mktemp -d /tmp/rtpgate-loop.XXXXXX)
# shellcheck source-path=SCRIPTDIR/.. source=scripts/lib/topology.sh
source "$REPO/scripts/lib/topology.sh"
cleanup() { hugepages_down; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# run_bench NAME EAL-MEMORY-ARGS... -- BENCH-ARGS...: prints the bench's JSON line.
run_bench() {
    local name=$1; shift
    local eal=() ; while [[ $1 != -- ]]; do eal+=("$1"); shift; done; shift
    local logf="$TMP/$name.log"
    log "rtpgate-loop-bench $name: $*"
    if ! timeout -s TERM $(( ${SECONDS_PER_RUN%.*} + 120 )) "$BENCH" -l "$WORKER_CPU" --no-pci "${eal[@]}" \
            --vdev=net_ring0 -- --label "$name" "$@" >"$logf" 2>&1; then
        log "$name: the benchmark failed or reported a problem:"
        grep -v '^{"bench"' "$logf" | tail -5 >&2
    fi
    grep '^{"bench"' "$logf" || { tail -20 "$logf" >&2; return 1; }
}

if (( SMOKE )); then
    line=$(run_bench smoke --no-huge -m 1024 --no-shconf -- --flows 1000 --seconds 2 --warmup 0.5) || exit 1
    mpps=$(grep -o '"mpps":[0-9.]*' <<<"$line" | cut -d: -f2)
    if grep -q '"ok":true' <<<"$line"; then
        log "smoke ok: 1,000 flows, ${mpps} Mpps, no drop, every frame intact"
        exit 0
    fi
    log "smoke FAILED: $line"
    exit 1
fi

command -v python3 >/dev/null || { log "python3 is needed for the report"; exit 1; }

# run_testpmd NAME MODE EAL-MEMORY-ARGS...: prints {"name","mode","mpps","samples"} (median Rx-pps).
run_testpmd() {
    local name=$1 mode=$2; shift 2
    local logf="$TMP/$name.log"
    log "testpmd $name: forward-mode=$mode"
    timeout -s TERM $(( ${SECONDS_PER_RUN%.*} + 3 )) dpdk-testpmd -l "$CTL_CPU,$WORKER_CPU" --main-lcore "$CTL_CPU" \
        --no-pci "$@" --vdev=net_ring0 -- --nb-cores=1 --total-num-mbufs=16384 --forward-mode="$mode" \
        --txpkts="$PKT_SIZE" --tx-first --stats-period 1 --no-lsc-interrupt >"$logf" 2>&1 || true
    python3 - "$name" "$mode" "$logf" <<'EOF'
import json, re, statistics, sys
name, mode, path = sys.argv[1:4]
s = [int(x) for x in re.findall(r"Rx-pps:\s+(\d+)", open(path, errors="replace").read())]
s = s[2:] if len(s) > 3 else s  # the first samples include start-up
print(json.dumps({"name": name, "mode": mode, "mpps": statistics.median(s) / 1e6 if s else None,
                  "samples_mpps": [round(x / 1e6, 2) for x in s]}))
EOF
}

{
    echo "## rtpgate closed-loop benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) CPUs; worker on CPU $WORKER_CPU, control on CPU $CTL_CPU"
    echo "- kernel $(uname -r), DPDK $(pkg-config --modversion libdpdk 2>/dev/null || echo '?'), commit $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$( [[ -n "$(git -C "$REPO" status --porcelain 2>/dev/null)" ]] && echo ' (work tree modified)')"
    echo "- ${PKT_SIZE}-byte frames, burst 32, ${SECONDS_PER_RUN} s per figure; Mpps = median of 1 s (testpmd) or 0.5 s (rtpgate) windows"
    echo "- load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on the worker's CPU lower every figure)"
    echo
} | tee "$TMP/header.md"

: >"$TMP/testpmd.jsonl"
: >"$TMP/rtpgate.jsonl"
if (( RUN_TESTPMD )) && [[ "$WORKER_CPU" != "$CTL_CPU" ]] && command -v dpdk-testpmd >/dev/null; then
    for mode in 5tswap macswap; do
        run_testpmd "testpmd-$mode" "$mode" --no-huge -m 512 --no-shconf >>"$TMP/testpmd.jsonl"
    done
else
    log "testpmd skipped (needs dpdk-testpmd from dpdk-dev and two CPUs)"
fi
run_bench rtpgate-1k --no-huge -m 1024 --no-shconf -- --flows 1000 --seconds "$SECONDS_PER_RUN" \
    >>"$TMP/rtpgate.jsonl" || true

if (( RUN_HUGE )); then
    # 1,000,000 flows: ~460 MB of private tables + the mempool; -m 1024 on 2 MB pages.
    if hugepages_up 544; then
        HUGE=(--in-memory --huge-dir "$RG_HUGE_DIR" -m 1024)
        run_bench rtpgate-1M-huge "${HUGE[@]}" -- --flows "$LARGE_FLOWS" --seconds "$SECONDS_PER_RUN" --warmup 2 \
            >>"$TMP/rtpgate.jsonl" || true
        run_bench rtpgate-1k-huge "${HUGE[@]}" -- --flows 1000 --seconds "$SECONDS_PER_RUN" \
            >>"$TMP/rtpgate.jsonl" || true
        if (( RUN_TESTPMD )) && [[ "$WORKER_CPU" != "$CTL_CPU" ]] && command -v dpdk-testpmd >/dev/null; then
            for mode in 5tswap macswap; do
                run_testpmd "testpmd-$mode-huge" "$mode" --in-memory --huge-dir "$RG_HUGE_DIR" -m 512 \
                    >>"$TMP/testpmd.jsonl"
            done
        fi
        hugepages_down
    else
        log "no hugepages: the 1,000,000-flow run is skipped"
    fi
fi

mkdir -p "$REPO/perf/results"
OUT=${OUT:-$REPO/perf/results/loop-$(date +%Y%m%d-%H%M%S).json}
python3 - "$TMP" "$OUT" "$WORKER_CPU" <<'EOF'
import json, subprocess, sys, datetime
tmp, out, worker_cpu = sys.argv[1:4]
tp = [json.loads(l) for l in open(f"{tmp}/testpmd.jsonl") if l.strip()]
rg = [json.loads(l) for l in open(f"{tmp}/rtpgate.jsonl") if l.strip()]
by = {t["name"]: t for t in tp}
tsc_hz = next((r["tsc_hz"] for r in rg if r.get("tsc_hz")), None)

def base(mode, huge):
    t = by.get(f"testpmd-{mode}-huge") if huge else None
    t = t or by.get(f"testpmd-{mode}")
    return t["mpps"] if t and t.get("mpps") else None

def pct(x, b):
    return f"{100 * x / b:.0f}%" if x and b else "–"

rows = []
for t in tp:
    huge = t["name"].endswith("-huge")
    cyc = f"{tsc_hz / (t['mpps'] * 1e6):.1f}" if tsc_hz and t.get("mpps") else "–"
    rows.append((t["name"], "2 MB pages" if huge else "no-huge", "–", t.get("mpps"),
                 pct(t.get("mpps"), base("5tswap", huge)), pct(t.get("mpps"), base("macswap", huge)), cyc, "–", "–"))
for r in rg:
    huge = r["hugepages"]
    drops = sum(r["drops"].values())
    other = sum(r["drops_whole_run"].values()) - drops
    core = r.get("core_cycles_per_pkt")
    mpps = r["mpps_median"]
    rows.append((r["label"], "2 MB pages" if huge else "no-huge", f"{r['flows']:,}", mpps,
                 pct(mpps, base("5tswap", huge)), pct(mpps, base("macswap", huge)),
                 f"{r['tsc_hz'] / (mpps * 1e6):.1f}" if mpps else "–", f"{core:.1f}" if core else "n/a",
                 f"{drops}{f' ({other} outside)' if other else ''}"
                 f"{'' if r['ok'] else ' (NOT OK: ' + (r['error'] or 'see JSON') + ')'}"))
print("| run | memory | flows | Mpps | vs 5tswap | vs macswap | TSC cycles/pkt | core cycles/pkt | drops in interval |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for row in rows:
    name, mem, flows, mpps, p5, pm, cyc, core, drops = row
    print(f"| {name} | {mem} | {flows} | {mpps:.2f} | {p5} | {pm} | {cyc} | {core} | {drops} |" if mpps is not None
          else f"| {name} | {mem} | {flows} | – | – | – | – | – | {drops} |")
print()
for r in rg:
    m = r["memory"]
    print(f"- {r['label']}: installs {r['installed']:,} in {r['install_s']:.2f} s; region {m['region_bytes'] / 2**20:.1f} MiB "
          f"({m['region_bytes_per_flow']:.0f} B/flow, slot {m['shm_flow_slot_bytes']} B); private {m['private_bytes'] / 2**20:.1f} MiB "
          f"({m['private_bytes_per_flow']:.0f} B/flow: action {m['flow_action_bytes']} + dyn {m['flow_dyn_bytes']} + key "
          f"{m['flow_key_bytes']} + direct lookup map {m['lookup_bytes_per_flow']:.0f} + free list/bitmaps); frames back intact: "
          f"{r['verify']['recovered']}/{r['inflight']}")
goals = {}
for label, flows, goal in (("rtpgate-1k", 1000, 0.50), ("rtpgate-1M-huge", None, 0.35)):
    r = next((x for x in rg if x["label"] == label), None)
    b = base("5tswap", bool(r and r["hugepages"]))
    if r and b:
        goals[label] = {"ratio_to_5tswap": round(r["mpps_median"] / b, 3), "goal": goal}
        print(f"- goal {label}: {100 * r['mpps_median'] / b:.0f}% of testpmd 5tswap (goal >= {goal * 100:.0f}%)")
lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
doc = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
       "cpu": next((l.split(":", 1)[1].strip() for l in lscpu.splitlines() if l.startswith("Model name")), "?"),
       "worker_cpu": int(worker_cpu), "header": open(f"{tmp}/header.md").read(),
       "testpmd": tp, "rtpgate": rg, "goals": goals}
json.dump(doc, open(out, "w"), indent=1)
print(f"\nJSON: {out}")
EOF
