#!/usr/bin/env bash
# Integration: rtpgate-exporter (Prometheus, issue 11) in front of the real data plane on the
# lab topology: the scrape parses, the forwarding counters and flow gauges move by exactly
# the traffic sent, rtpgate_up falls to 0 when the data plane is killed and comes back (with
# a second attach) when a new one starts. The data plane's DPDK telemetry commands
# (/rtpgate/info, /rtpgate/stats, /rtpgate/flows) answer on its telemetry socket and agree.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
EXP_BIN=$IT_BUILD/tools/exporter/rtpgate-exporter
[[ -x "$EXP_BIN" ]] || it_fail "$EXP_BIN not built"
command -v curl >/dev/null 2>&1 || it_skip "curl not installed"
it_setup exporter
topo_up itexp >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }
A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
it_write_lab_conf "$IT_T/dp.conf"
VDEVS=(--vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1")
IT_DP_TELEMETRY=1
it_dp_start "$IT_T/dp.conf" "${VDEVS[@]}"

it_check "the exporter serves the region on loopback"
rg_start_bg exporter "$EXP_BIN" --shm "$IT_SHM" --listen 127.0.0.1:0
for _ in $(seq 1 50); do
    PORT=$(sed -n 's/.*(port \([0-9]*\)).*/\1/p' "$RG_LOG_DIR/exporter.log" 2>/dev/null | head -n 1 || true)
    [[ -n "$PORT" ]] && break
    sleep 0.1
done
[[ -n "${PORT:-}" ]] || it_fail "the exporter did not report its port: $(cat "$RG_LOG_DIR/exporter.log")"
scrape() { curl -fsS "http://127.0.0.1:$PORT/metrics"; }
# metric NAME{LABELS}: the sample's value, summed when the name matches several series.
metric() {
    scrape | awk -v k="$1" 'index($0, k) == 1 && substr($0, length(k) + 1, 1) ~ /[ {]/ { s += $NF; n++ }
                          END { if (n) printf "%d\n", s; else print "none" }'
}
curl -fsS -o /dev/null -w '%{content_type}\n' "http://127.0.0.1:$PORT/metrics" > "$IT_T/ctype"
it_expect_eq "$(cat "$IT_T/ctype")" "text/plain; version=0.0.4; charset=utf-8" "content type"
bad=$(scrape | grep -v -E '^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$|^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})? -?[0-9.e+-]+$' | head -n 3 || true)
[[ -z "$bad" ]] || it_fail "lines not in the text format: $bad"
it_expect_eq "$(metric rtpgate_up)" 1 "rtpgate_up"
it_note "$(scrape | grep -c '^# TYPE') families, $(scrape | grep -vc '^#') samples"

it_check "300 RTP packets through one flow move the counters by 300"
FWD0=$(metric rtpgate_fwd_rtp_total)
RX0=$(metric rtpgate_rx_pkts_total)
F=$(it_add --local "$RA:20000" --to "$B:30002" --from "$RB:20002")
it_expect_eq "$(metric 'rtpgate_flows{state="allocated"}')" 1 "one flow allocated"
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20000" --count 300 --pps 2000 > "$IT_T/send.json"
it_wait_flow "$F" rx_pkts 300 >/dev/null
sleep 0.3   # the next counter publish
it_expect_eq "$(( $(metric rtpgate_fwd_rtp_total) - FWD0 ))" 300 "rtpgate_fwd_rtp_total moved by 300"
it_expect_eq "$(( $(metric rtpgate_rx_pkts_total) - RX0 >= 300 ))" 1 "rtpgate_rx_pkts_total moved by >= 300"
it_expect_eq "$(metric 'rtpgate_flows{state="active"}')" 1 "the flow is active"

it_check "DPDK telemetry: /rtpgate/info, /rtpgate/stats, /rtpgate/flows and /rtpgate/flows,ID"
# tel CMD: one command on the data plane's telemetry socket, its JSON answer.
tel() {
    "$PYTHON" - "/var/run/dpdk/$IT_FP/dpdk_telemetry.v2" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.settimeout(5)
s.connect(sys.argv[1])
s.recv(16384)                      # the greeting
s.send(sys.argv[2].encode())
print(json.dumps(json.loads(s.recv(65536).decode())))
PY
}
PYTHON=$(command -v python3)
tel /rtpgate/info > "$IT_T/tel_info.json"
it_expect_eq "$(it_py "$IT_T/tel_info.json" 'j["/rtpgate/info"]["flows_installed"]')" 1 "/rtpgate/info: one flow installed"
it_expect_eq "$(it_py "$IT_T/tel_info.json" 'j["/rtpgate/info"]["state"]')" 1 "/rtpgate/info: running"
tel /rtpgate/stats > "$IT_T/tel_stats.json"
it_expect_eq "$(it_py "$IT_T/tel_stats.json" 'j["/rtpgate/stats"]["fwd_rtp"]')" "$(metric rtpgate_fwd_rtp_total)" \
    "/rtpgate/stats fwd_rtp = the exporter's rtpgate_fwd_rtp_total"
tel /rtpgate/flows > "$IT_T/tel_flows.json"
it_expect_eq "$(it_py "$IT_T/tel_flows.json" 'j["/rtpgate/flows"]')" "[$F]" "/rtpgate/flows lists the flow"
tel "/rtpgate/flows,$F" > "$IT_T/tel_flow.json"
it_expect_eq "$(it_py "$IT_T/tel_flow.json" 'j["/rtpgate/flows"]["rx_pkts"]')" 300 "/rtpgate/flows,$F: rx_pkts"
it_expect_eq "$(it_py "$IT_T/tel_flow.json" 'j["/rtpgate/flows"]["local"]')" "$RA:20000" "/rtpgate/flows,$F: local"

it_check "malformed RTP is a drop reason"
BAD0=$(metric 'rtpgate_dropped_packets_total{reason="bad_rtp"}')
# version 1 in the first byte: not RTP (and not RTCP)
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20000" --count 20 --pps 2000 \
    --raw-hex 4000000100000002000000030000000400000005 > /dev/null
sleep 0.3
it_expect_eq "$(( $(metric 'rtpgate_dropped_packets_total{reason="bad_rtp"}') - BAD0 ))" 20 "bad_rtp drops counted"

it_check "data plane killed: rtpgate_up 0; a new one: rtpgate_up 1, attached twice"
kill -KILL "$IT_DP_PID"
wait "$IT_DP_PID" 2>/dev/null || true
rg_stop dataplane
IT_DP_PID=""
sleep 1.3
it_expect_eq "$(metric rtpgate_up)" 0 "rtpgate_up after the kill"
rm -f "/dev/shm/${IT_SHM#/}"
it_dp_start "$IT_T/dp.conf" "${VDEVS[@]}"
it_expect_eq "$(metric rtpgate_up)" 1 "rtpgate_up with the new data plane"
it_expect_eq "$(metric rtpgate_exporter_attaches_total)" 2 "attached twice"
it_expect_eq "$(metric rtpgate_fwd_rtp_total)" 0 "the new data plane's counters start at 0"
echo "PASS"
