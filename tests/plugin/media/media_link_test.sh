#!/usr/bin/env bash
# Integration: the Janus plugin's media link (control/media DataPlaneLink + BrowserRelay)
# against the real data plane on the veth lab. rtpgate-media-probe plays the plugin (one
# command per line on a FIFO, one JSON answer per line); rtpgate-rtp-peer plays the SIP
# peer in namespace pma (an echo on 30000/30001 and plain senders). Checked: attach,
# open_stream (even port pair, two TO_CTL flows), a flow without output (data plane drops
# and counts), peer -> sink before and after set_peer, browser -> peer -> echo -> sink for
# RTP and RTCP, recv=false, close_stream freeing slots and ports, and a data-plane crash
# (SIGKILL) and restart: unavailable, available again, the open stream re-programmed (same port),
# new streams work.
set -euo pipefail
# shellcheck source=../../integration/dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../integration/dp_lib.sh"

IT_PROBE_BIN=$IT_BUILD/tests/plugin/media/rtpgate-media-probe

it_need_root
it_need_netns
it_need_binaries
[[ -x "$IT_PROBE_BIN" ]] || it_fail "$IT_PROBE_BIN not built (ninja -C $IT_BUILD)"
it_setup media
IT_SHM=/rtpgate-it-media
topo_up pm >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP RA=$TOPO_RELAY_A
DP_VDEVS=(--vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1")
it_write_lab_conf "$IT_T/dp.conf"
it_dp_start "$IT_T/dp.conf" "${DP_VDEVS[@]}"

# The SIP peer's media: echo every datagram back to where it came from.
for port in 30000 30001; do
    it_peer_bg "echo_$port" "$TOPO_NS_A" "$IT_T/echo_$port.json" echo --bind "$A:$port" --timeout-ms 30000 \
        --duration-ms 60000 --ready-file "$IT_T/echo_$port.ready"
done
it_wait_file "$IT_T/echo_30000.ready"
it_wait_file "$IT_T/echo_30001.ready"

# The probe, driven through two FIFOs (fd 7: commands, fd 8: answers).
mkfifo "$IT_T/probe.in" "$IT_T/probe.out"
# shellcheck disable=SC2016  # expanded by the inner sh
rg_start_bg probe sh -c 'exec "$0" --shm "$1" --timeout-ms 1000 <"$2" >"$3"' "$IT_PROBE_BIN" "$IT_SHM" \
    "$IT_T/probe.in" "$IT_T/probe.out"
P_PROBE=$RG_LAST_PID
exec 7>"$IT_T/probe.in" 8<"$IT_T/probe.out"
PJ=$IT_T/probe.json

# probe CMD...: send one command, keep its JSON answer in $PJ.
probe() {
    local line
    printf '%s\n' "$*" >&7
    IFS= read -r -t 30 -u 8 line || it_fail "rtpgate-media-probe gave no answer to '$*'"
    printf '%s\n' "$line" > "$PJ"
    it_note "probe $*: $line"
}
pj() { it_json_get "$PJ" "$1"; }
flows_allocated() { ctl --json info > "$IT_T/info.json"; it_json_get "$IT_T/info.json" flows_allocated; }

it_check "the link attaches to the running data plane"
probe wait-available 10
it_expect_eq "$(pj available)" true "available()"

it_check "open_stream: even port pair on the SDP address, two TO_CTL flows (RTP + RTCP on port+1)"
probe open s1 "$RA"
it_expect_eq "$(pj ok)" true "open_stream"
it_expect_eq "$(pj ip)" "$RA" "relay address is the requested sdp_ip"
P1=$(pj rtp_port) F1=$(pj rtp_flow)
(( P1 % 2 == 0 )) || it_fail "RTP port $P1 is odd"
it_flows_json "$IT_T/flows.json"
it_expect_eq "$(it_py "$IT_T/flows.json" "sorted((f['local'], f['kind'], f['action']) for f in j) == \
sorted([('$RA:$P1', 'rtp', 'ctl'), ('$RA:$((P1 + 1))', 'rtcp', 'ctl')])")" true \
    "flows $RA:$P1 (rtp) and $RA:$((P1 + 1)) (rtcp), action ctl"

it_check "before set_peer: the link refuses browser packets; the data plane drops+counts a flow without output"
probe send s1 5 1000
it_expect_eq "$(pj refused)" 5 "send_to_peer refused without a peer"
B=$(it_stat_val drop_ctl_bad_flow)
probe raw-send s1 20
it_expect_eq "$(pj queued)" 20 "20 packets pushed straight onto the ring"
it_expect_eq "$(it_wait_stat drop_ctl_bad_flow $((B + 20)))" $((B + 20)) "data plane counted drop_ctl_bad_flow"
_rg_alive "$IT_DP_PID" || it_fail "the data plane died"

it_check "peer -> relay -> sink before set_peer (accepted from any source)"
it_peer "$TOPO_NS_A" send --bind "$A:30010" --to "$RA:$P1" --count 100 --pps 1000 --ssrc 0x4242 > "$IT_T/send1.json"
probe expect s1 100 0 3000
it_expect_eq "$(pj rtp)" 100 "sink got every RTP packet"
it_expect_eq "$(pj peer_ssrc)" $((0x4242)) "relay remembers the first peer SSRC"

it_check "set_peer; browser -> data plane -> peer (echo) -> data plane -> sink, RTP and RTCP"
probe peer s1 "$A" 30000
it_expect_eq "$(pj ok)" true "set_peer"
probe send s1 500 1000
it_expect_eq "$(pj queued)" 500 "500 RTP packets queued"
probe send s1 50 500 rtcp
it_expect_eq "$(pj queued)" 50 "50 RTCP packets queued"
probe expect s1 600 50 5000
it_expect_eq "$(pj own)" 500 "every RTP packet came back through the echo"
it_expect_eq "$(pj bad)" 0 "payloads intact"
it_expect_eq "$(pj rtcp)" 50 "RTCP left from port+1 and came back on the RTCP flow"
it_expect_eq "$(pj ssrc_changes)" 1 "one peer SSRC change (0x4242 -> echo), relayed continuously"
it_expect_eq "$(it_wait_stat ctl_tx_pkts 550)" 550 "data plane sent 550 control packets"
it_expect_eq "$(it_wait_flow "$F1" rx_pkts 600)" 600 "RTP flow matched 100 + 500 packets"

it_check "recv=false: the data plane drops what the peer sends (drop_direction)"
probe peer s1 "$A" 30000 norecv
it_peer "$TOPO_NS_A" send --bind "$A:30010" --to "$RA:$P1" --count 50 --pps 1000 --ssrc 0x4242 > "$IT_T/send2.json"
it_expect_eq "$(it_wait_flow "$F1" drop_direction 50)" 50 "flow drop_direction"
probe expect s1 600 50 200
it_expect_eq "$(pj rtp)" 600 "sink got nothing more"

it_check "close_stream removes both flows and frees the slots"
probe close s1
it_expect_eq "$(pj ok)" true "close_stream"
it_expect_eq "$(flows_allocated)" 0 "no flow allocated"
it_flows_json "$IT_T/flows.json"
it_expect_eq "$(it_py "$IT_T/flows.json" 'len(j)')" 0 "flow list empty"

it_check "data plane killed (SIGKILL): the link reports it, re-attaches to the new one and re-programs the open stream"
probe open s2 "$RA"
it_expect_eq "$(pj ok)" true "a stream that lives through the crash"
P2=$(pj rtp_port)
probe peer s2 "$A" 30000
probe send s2 50 1000
probe expect s2 50 0 5000
it_expect_eq "$(pj own)" 50 "s2 carries media before the crash"
kill -KILL "$IT_DP_PID"
wait "$IT_DP_PID" 2>/dev/null || true
rg_stop dataplane
IT_DP_PID=""
probe wait-unavailable 5
it_expect_eq "$(pj available)" false "available() false after the crash"
[[ "$(pj why)" == *"not running"* ]] || it_fail "why: $(pj why)"
it_dp_start "$IT_T/dp.conf" "${DP_VDEVS[@]}"
probe wait-available 10
it_expect_eq "$(pj available)" true "available() again"
T_BACK=$(date +%s%N)
for _ in $(seq 1 30); do
    probe counters
    [[ "$(pj readopted_streams)" == 1 ]] && break
    sleep 0.05
done
it_expect_eq "$(pj readopted_streams)" 1 "the open stream was re-programmed in the new data plane"
it_note "re-programmed $(( ($(date +%s%N) - T_BACK) / 1000000 )) ms after the new data plane was ready"
probe send s2 200 1000
probe expect s2 250 0 5000
it_expect_eq "$(pj own)" 250 "s2 carries media again through the new data plane, on its old port $P2"
probe open s3 "$RA"
it_expect_eq "$(pj ok)" true "open_stream on the new data plane"
probe peer s3 "$A" 30000
probe send s3 200 1000
probe expect s3 200 0 5000
it_expect_eq "$(pj own)" 200 "media flows through the new data plane"

it_check "idle streams cost almost no CPU (the bridge naps 1 ms, 5 ms after 1 s of silence)"
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$P_PROBE/stat"; }
T0=$(cpu_ticks)
sleep 1
T1=$(cpu_ticks)
sleep 2
T2=$(cpu_ticks)
it_note "probe CPU: $((T1 - T0)) ticks in the first idle second, $((T2 - T1)) in the next 2 s ($(getconf CLK_TCK) ticks/s)"
(( T2 - T1 <= 4 )) || it_fail "idle probe used $((T2 - T1)) CPU ticks in 2 s (> 2%)"

probe counters
it_expect_eq "$(pj attaches)" 2 "attached twice"
it_expect_eq "$(pj orphaned_streams)" 1 "one stream lost its data plane"
it_expect_eq "$(pj readopt_failures)" 0 "and none stayed lost"
probe close s2
probe close s3
it_expect_eq "$(flows_allocated)" 0 "nothing left allocated"

printf 'quit\n' >&7
it_wait_pid "$P_PROBE" 10 || it_fail "rtpgate-media-probe exited with an error"
echo "PASS"
