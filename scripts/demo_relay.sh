#!/usr/bin/env bash
# The data plane alone: a live demo of rtpgate-dataplane relaying
# RTP between two emulated SIP peers on a lab topology this script builds itself
# (network namespaces + veth pairs, the data plane on net_af_packet owning the media
# addresses, with its kernel exception path on TAP interfaces; pinned to one core in
# adaptive idle mode), then printing what happened. Cleans up after itself.
# usage: scripts/demo_relay.sh [--seconds N]     (root; build first with scripts/setup.sh)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${RTPGATE_BUILD_DIR:-$repo/build}
seconds=5
while (( $# )); do
  case "$1" in
    --seconds) seconds=$2; shift ;;
    *) echo "usage: $0 [--seconds N]" >&2; exit 2 ;;
  esac
  shift
done
(( EUID == 0 )) || { echo "demo: needs root (namespaces, veths, DPDK)" >&2; exit 1; }
[[ -x $build/dataplane/rtpgate-dataplane ]] || { echo "demo: build first: bash scripts/setup.sh" >&2; exit 1; }

# shellcheck source=lib/topology.sh
source "$repo/scripts/lib/topology.sh"
rg_cleanup_trap
work=$(mktemp -d /tmp/rtpgate-demo.XXXXXX)
export RG_LOG_DIR=$work
ctl() { "$build/tools/rtpgatectl/rtpgatectl" --shm /rtpgate-demo "$@"; }
peer=$build/tests/tools/rtpgate-rtp-peer
say() { printf '\n== %s\n' "$*"; }

say "topology: peer A (ns rgda) <-> [rtpgate-dataplane] <-> peer B (ns rgdb)"
TOPO_DYNAMIC=1 topo_up rgd   # no static neighbours: ARP/ND against the data plane
cat > "$work/dataplane.conf" <<CONF
shm_name = /rtpgate-demo
port = 0 addr=$TOPO_RELAY_A/24 addr=$TOPO_RELAY_A6/64 tap=rgd-tap0
port = 1 addr=$TOPO_RELAY_B/24 addr=$TOPO_RELAY_B6/64 tap=rgd-tap1
port_min = 20000
port_max = 20999
flow_capacity = 4096
mbufs = 4095
idle_mode = adaptive
publish_interval_ms = 100
CONF
core=$(( $(nproc) - 1 ))
say "data plane: pinned to CPU $core, adaptive idle, net_af_packet on $TOPO_DP0 and $TOPO_DP1"
rg_start_bg dataplane taskset -c "$core" "$build/dataplane/rtpgate-dataplane" -l "$core" --no-huge -m 256 \
  --no-shconf --no-pci --file-prefix rtpgate-demo \
  --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1" -- --config "$work/dataplane.conf"
ctl wait-ready --seconds 15
ctl info

say "the data plane owns the port: peers resolve it by ARP/NDP and the kernel answers pings via TAP"
ip netns exec "$TOPO_NS_A" ping -c 2 -i 0.2 -W 2 "$TOPO_RELAY_A" | grep -E 'bytes from|packet loss'
ip netns exec "$TOPO_NS_B" ping -6 -c 2 -i 0.2 -W 2 "$TOPO_RELAY_B6" | grep -E 'bytes from|packet loss'
ip -n "$TOPO_NS_A" neigh show "$TOPO_RELAY_A"

say "programming the call: A=$TOPO_A_IP:30000 <-> relay $TOPO_RELAY_A:20000 | $TOPO_RELAY_B:20002 <-> B=$TOPO_B_IP:40000"
a2b=$(ctl add --local "$TOPO_RELAY_A:20000" --from "$TOPO_RELAY_B:20002" --to "$TOPO_B_IP:40000" --expect "$TOPO_A_IP" --rewrite)
b2a=$(ctl add --local "$TOPO_RELAY_B:20002" --from "$TOPO_RELAY_A:20000" --to "$TOPO_A_IP:30000" --expect "$TOPO_B_IP" --rewrite)
ctl add --kind rtcp --local "$TOPO_RELAY_A:20001" --from "$TOPO_RELAY_B:20003" --to "$TOPO_B_IP:40001" >/dev/null
ctl add --kind rtcp --local "$TOPO_RELAY_B:20003" --from "$TOPO_RELAY_A:20001" --to "$TOPO_A_IP:30001" >/dev/null
echo "flows: A->B $a2b, B->A $b2a (+ RTCP)"

pps=50
count=$(( seconds * pps ))
say "media: G.711 20 ms both ways for ${seconds}s; A's SSRC changes half-way (the relay keeps B's view continuous)"
ip netns exec "$TOPO_NS_B" "$peer" recv --bind "$TOPO_B_IP:40000" --count "$count" --timeout-ms 3000 > "$work/b.json" &
rb=$!
ip netns exec "$TOPO_NS_A" "$peer" recv --bind "$TOPO_A_IP:30000" --count "$count" --timeout-ms 3000 > "$work/a.json" &
ra=$!
sleep 0.3
ip netns exec "$TOPO_NS_A" "$peer" send --bind "$TOPO_A_IP:30010" --to "$TOPO_RELAY_A:20000" --count "$count" \
  --pps "$pps" --ssrc 0x11111111 --ssrc-change-at $(( count / 2 )) --ssrc2 0x22222222 > "$work/send_a.json" &
sa=$!
ip netns exec "$TOPO_NS_B" "$peer" send --bind "$TOPO_B_IP:40010" --to "$TOPO_RELAY_B:20002" --count "$count" \
  --pps "$pps" --ssrc 0x33333333 > "$work/send_b.json"
wait "$sa" || true
ip netns exec "$TOPO_NS_A" "$peer" send --bind "$TOPO_A_IP:30011" --to "$TOPO_RELAY_A:20001" --count 3 --pps 20 \
  --raw-hex 81c90001deadbeef > /dev/null   # RTCP RR from A: relayed to B on the RTCP flow
rcv_ok=0
wait "$rb" || rcv_ok=1
wait "$ra" || rcv_ok=1
sleep 0.3   # one publish interval for the per-flow counters

summary() {  # file label
  /usr/bin/python3 - "$1" "$2" <<'PY'
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
print(f"{sys.argv[2]}: received {d['valid']}/{d['expected']} (missing {d['missing']}, duplicates {d['duplicates']}), "
      f"SSRCs seen {[hex(s) for s in d['ssrcs']]}, seq gaps {d['seq_gaps']}, ts jumps {d['ts_jumps']}, "
      f"from {d['sources']}, one-way latency avg {d['latency_avg_us']:.0f} us max {d['latency_max_us']:.0f} us")
PY
}
say "what the peers received"
summary "$work/b.json" "peer B (A's stream)"
summary "$work/a.json" "peer A (B's stream)"
say "per-flow counters (rtpgatectl flows)"
ctl flows
say "data-plane counters (rtpgatectl stats, non-zero)"
ctl stats | sed -n '/^total/,$p' | awk 'NR == 1 || $2 != 0'
if (( rcv_ok != 0 )); then echo "demo: FAILED: a peer did not receive every packet" >&2; exit 1; fi
echo
echo "demo: OK: every packet relayed both ways, rewritten to one continuous stream per direction"
