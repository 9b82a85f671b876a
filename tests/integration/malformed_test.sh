#!/usr/bin/env bash
# Integration: malformed RTP/RTCP and unknown ports. Each kind of bad packet sent to a
# programmed flow is dropped and counted under the right per-lcore counter and the flow's
# drop_bad_rtp; nothing reaches the far end; afterwards valid RTP on the same flow still
# arrives complete (the flow is unharmed).
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
it_setup malformed
topo_up itmal >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
it_write_lab_conf "$IT_T/dp.conf"
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

F=$(it_add --local "$RA:20000" --to "$B:30000" --from "$RB:20002" --rewrite --expect "$A")
R=$(it_add --kind rtcp --local "$RA:20001" --to "$B:30001" --from "$RB:20003")
it_note "flows: RTP $F, RTCP $R"

# Receivers at B record everything until stopped.
for port in 30000 30001; do
    it_peer_bg "recv_$port" "$TOPO_NS_B" "$IT_T/recv_$port.json" recv --bind "$B:$port" --count 0 \
        --timeout-ms 30000 --duration-ms 30000 --ready-file "$IT_T/recv_$port.ready"
    it_wait_file "$IT_T/recv_$port.ready"
done

# raw NAME PORT COUNTER HEX: send one UDP payload twice from A to relay port PORT, then
# check that exactly these two were counted under the lcore counter COUNTER.
declare -A EXP=([drop_bad_rtp]=0 [drop_bad_rtcp]=0 [drop_exc_no_tap]=0)
raw() {
    local name=$1 port=$2 ctr=$3 hex=$4
    it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:$port" --count 2 --pps 200 --raw-hex "$hex" > /dev/null
    EXP[$ctr]=$(( EXP[$ctr] + 2 ))
    it_expect_eq "$(it_wait_stat "$ctr" "${EXP[$ctr]}" 2000)" "${EXP[$ctr]}" "$name ($hex) -> $ctr"
}
PAY=00000000000000000000000000000000   # 16 payload bytes
it_check "malformed RTP to flow $F (each sent twice)"
raw "RTP version 1"                20000 drop_bad_rtp "40000001000000010000abcd$PAY"
raw "truncated header (5 bytes)"   20000 drop_bad_rtp "8000000100"
raw "CSRC count 15 beyond length"  20000 drop_bad_rtp "8f000001000000010000abcd$PAY"
raw "extension length beyond end"  20000 drop_bad_rtp "90000001000000010000abcdbede0010$PAY"
raw "padding count beyond payload" 20000 drop_bad_rtp "a0000001000000010000abcd${PAY:0:30}ff"
raw "padding count 0"              20000 drop_bad_rtp "a0000001000000010000abcd${PAY:0:30}00"
N_BAD_RTP=${EXP[drop_bad_rtp]}
it_check "malformed RTCP to flow $R"
raw "RTCP length beyond datagram"  20001 drop_bad_rtcp "81c90010a0a0a0a0$PAY"
raw "RTCP version 1"               20001 drop_bad_rtcp "41c90001a0a0a0a000000000"
raw "RTCP non-RTCP packet type"    20001 drop_bad_rtcp "81000001a0a0a0a000000000"
raw "RTCP too short (4 bytes)"     20001 drop_bad_rtcp "81c90000"
N_BAD_RTCP=${EXP[drop_bad_rtcp]}
it_check "valid RTP to unknown relay ports (no flow: exception path, and this lab has no tap=)"
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20500" --count 3 --pps 200 > /dev/null
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20002" --count 2 --pps 200 > /dev/null
N_NO_FLOW=5

it_check "counters: lcore drop_bad_rtp=$N_BAD_RTP drop_bad_rtcp=$N_BAD_RTCP drop_exc_no_tap=$N_NO_FLOW"
it_expect_eq "$(it_wait_stat drop_exc_no_tap "$N_NO_FLOW")" "$N_NO_FLOW" "lcore drop_exc_no_tap"
it_stats_json "$IT_T/s1.json"
it_expect_eq "$(it_py "$IT_T/s1.json" 'j["total"]["drop_bad_rtp"]')" "$N_BAD_RTP" "lcore drop_bad_rtp"
it_expect_eq "$(it_py "$IT_T/s1.json" 'j["total"]["drop_bad_rtcp"]')" "$N_BAD_RTCP" "lcore drop_bad_rtcp"
it_expect_eq "$(it_py "$IT_T/s1.json" 'j["total"]["fwd_rtp"] + j["total"]["fwd_rtcp"]')" 0 "nothing forwarded"
it_expect_drops_zero "$IT_T/s1.json" drop_bad_rtp drop_bad_rtcp drop_exc_no_tap
it_expect_eq "$(it_wait_flow "$F" drop_bad_rtp "$N_BAD_RTP")" "$N_BAD_RTP" "flow $F drop_bad_rtp"
it_expect_eq "$(it_wait_flow "$R" drop_bad_rtp "$N_BAD_RTCP")" "$N_BAD_RTCP" "flow $R drop_bad_rtp (malformed RTCP)"
it_flows_json "$IT_T/f1.json"
it_expect_eq "$(it_py "$IT_T/f1.json" "flow($F)['rx_pkts']")" "$N_BAD_RTP" "flow $F rx_pkts"
it_expect_eq "$(it_py "$IT_T/f1.json" "flow($F)['tx_pkts']")" 0 "flow $F tx_pkts"
it_expect_eq "$(it_py "$IT_T/f1.json" "flow($R)['tx_pkts']")" 0 "flow $R tx_pkts"

it_check "the flow is unharmed: 500 valid RTP packets arrive complete and continuous"
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20000" --count 500 --pps 1000 --ssrc 0x5eed0001 > /dev/null
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20001" --count 1 --pps 100 \
    --raw-hex 81c90007a0a0a0a0b0b0b0b00000000000000010000000000000000000000000 > /dev/null
it_expect_eq "$(it_wait_flow "$F" tx_pkts 500)" 500 "flow $F tx_pkts"
rg_stop recv_30000
rg_stop recv_30001
f=$IT_T/recv_30000.json
it_note "receiver: $(it_py "$f" '{k: j[k] for k in ("received","valid","bad","missing","ssrcs","seq_gaps","ts_jumps")}')"
it_expect_eq "$(it_json_get "$f" received)" 500 "B received exactly the 500 valid packets (no malformed one)"
it_expect_eq "$(it_json_get "$f" valid)" 500 "B: valid"
it_expect_eq "$(it_json_get "$f" missing)" 0 "B: missing"
it_expect_eq "$(it_json_get "$f" seq_gaps)" 0 "B: sequence gaps"
it_expect_eq "$(it_json_get "$f" ts_jumps)" 0 "B: timestamp jumps"
it_expect_eq "$(it_py "$f" 'j["ssrcs"] == [0x5eed0001]')" true "B: the valid stream's SSRC"
it_expect_eq "$(it_json_get "$IT_T/recv_30001.json" received)" 1 "B's RTCP port got only the valid RTCP packet"
it_stats_json "$IT_T/s2.json"
it_expect_eq "$(it_py "$IT_T/s2.json" 'j["total"]["fwd_rtp"]')" 500 "lcore fwd_rtp"
it_expect_eq "$(it_py "$IT_T/s2.json" 'j["total"]["fwd_rtcp"]')" 1 "lcore fwd_rtcp"
it_expect_eq "$(it_py "$IT_T/s2.json" 'j["total"]["drop_bad_rtp"]')" "$N_BAD_RTP" "lcore drop_bad_rtp unchanged"
