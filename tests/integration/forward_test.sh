#!/usr/bin/env bash
# Integration: bidirectional RTP + RTCP relaying through rtpgate-dataplane on the lab
# topology (namespaces + veths, net_af_packet). 2000 packets each way at 2000 pps at the
# same time, both with an SSRC change half-way: every packet arrives, rewritten to one
# SSRC with continuous seq/ts, from the relay's address; per-flow and per-lcore counters
# agree; raw RTCP both ways on the RTCP flows and RTCP-mux on the RTP port.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
it_setup forward
topo_up itfwd >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
N=2000
it_write_lab_conf "$IT_T/dp.conf"
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

it_check "install RTCP flows (port+1, --kind rtcp) and RTP flows (--rewrite, --expect, --rtcp-mux)"
R_AB=$(it_add --kind rtcp --local "$RA:20001" --to "$B:30001" --from "$RB:20003")
R_BA=$(it_add --kind rtcp --local "$RB:20003" --to "$A:30001" --from "$RA:20001")
F_AB=$(it_add --local "$RA:20000" --to "$B:30002" --from "$RB:20002" --rewrite --expect "$A" --rtcp-mux "$R_AB")
F_BA=$(it_add --local "$RB:20002" --to "$A:30002" --from "$RA:20000" --rewrite --expect "$B" --rtcp-mux "$R_BA")
it_note "flows: rtp A->B $F_AB, B->A $F_BA; rtcp A->B $R_AB, B->A $R_BA"
it_expect_eq "$(it_py <(ctl --json info) 'j["flows_allocated"]')" 4 "info: flows allocated"

it_check "$N RTP packets each way at 2000 pps simultaneously, SSRC change at $(( N / 2 ))"
SSRC_A=0xa0a0a0a0 SSRC_A2=0xa1a1a1a1 SSRC_B=0xb0b0b0b0 SSRC_B2=0xb1b1b1b1
it_peer_bg recv_b "$TOPO_NS_B" "$IT_T/recv_b.json" recv --bind "$B:30002" --count $N --timeout-ms 3000 \
    --duration-ms 20000 --expect-from "$RB:20002" --expect-ssrc $SSRC_A --ready-file "$IT_T/recv_b.ready"
P_RB=$RG_LAST_PID
it_peer_bg recv_a "$TOPO_NS_A" "$IT_T/recv_a.json" recv --bind "$A:30002" --count $N --timeout-ms 3000 \
    --duration-ms 20000 --expect-from "$RA:20000" --expect-ssrc $SSRC_B --ready-file "$IT_T/recv_a.ready"
P_RA=$RG_LAST_PID
it_wait_file "$IT_T/recv_b.ready"
it_wait_file "$IT_T/recv_a.ready"
it_peer_bg send_a "$TOPO_NS_A" "$IT_T/send_a.json" send --bind "$A:30000" --to "$RA:20000" --count $N --pps 2000 \
    --ssrc $SSRC_A --ssrc-change-at $(( N / 2 )) --ssrc2 $SSRC_A2
P_SA=$RG_LAST_PID
it_peer_bg send_b "$TOPO_NS_B" "$IT_T/send_b.json" send --bind "$B:30000" --to "$RB:20002" --count $N --pps 2000 \
    --ssrc $SSRC_B --ssrc-change-at $(( N / 2 )) --ssrc2 $SSRC_B2
P_SB=$RG_LAST_PID
rc=0; it_wait_pid "$P_SA" 20 || rc=$?; it_expect_eq "$rc" 0 "sender A exit status"
rc=0; it_wait_pid "$P_SB" 20 || rc=$?; it_expect_eq "$rc" 0 "sender B exit status"
rc_rb=0; it_wait_pid "$P_RB" 25 || rc_rb=$?
rc_ra=0; it_wait_pid "$P_RA" 25 || rc_ra=$?
for side in a b; do
    it_expect_eq "$(it_json_get "$IT_T/send_$side.json" sent)" $N "sender ${side^^}: sent"
    it_expect_eq "$(it_json_get "$IT_T/send_$side.json" send_errors)" 0 "sender ${side^^}: send errors"
done
check_recv() {  # SIDE EXPECTED_SSRC FROM
    local f="$IT_T/recv_$1.json" who="receiver ${1^^}"
    it_note "$who: $(it_py "$f" '{k: j[k] for k in ("received","valid","missing","ssrcs","seq_gaps","ts_jumps","sources")}')"
    it_expect_eq "$(it_json_get "$f" valid)" $N "$who: valid packets"
    it_expect_eq "$(it_json_get "$f" missing)" 0 "$who: missing"
    it_expect_eq "$(it_json_get "$f" duplicates)" 0 "$who: duplicates"
    it_expect_eq "$(it_json_get "$f" bad)" 0 "$who: bad packets"
    it_expect_eq "$(it_py "$f" "j['ssrcs'] == [$2]")" true "$who: one output SSRC ($2) across the SSRC change"
    it_expect_eq "$(it_json_get "$f" ssrc_changes)" 0 "$who: SSRC changes seen"
    it_expect_eq "$(it_json_get "$f" seq_gaps)" 0 "$who: sequence gaps"
    it_expect_eq "$(it_json_get "$f" ts_jumps)" 0 "$who: timestamp jumps"
    it_expect_eq "$(it_py "$f" 'j["sources"]')" "[\"$3\"]" "$who: source is the relay address"
}
check_recv b $SSRC_A "$RB:20002"
check_recv a $SSRC_B "$RA:20000"
it_expect_eq "$rc_rb" 0 "receiver B exit status"
it_expect_eq "$rc_ra" 0 "receiver A exit status"

it_check "per-flow counters (published every 100 ms) match the traffic"
for f in "$F_AB" "$F_BA"; do
    it_expect_eq "$(it_wait_flow "$f" tx_pkts $N)" $N "flow $f tx_pkts"
    it_flows_json "$IT_T/flows.json"
    it_expect_eq "$(it_py "$IT_T/flows.json" "flow($f)['rx_pkts']")" $N "flow $f rx_pkts"
    it_expect_eq "$(it_py "$IT_T/flows.json" "flow($f)['ssrc_changes']")" 1 "flow $f incoming SSRC changes"
    it_expect_eq "$(it_py "$IT_T/flows.json" \
        "[k for k in ('drop_bad_rtp','drop_source','drop_direction','drop_tx') if flow($f)[k]]")" "[]" \
        "flow $f: no per-flow drops"
    it_expect_eq "$(it_py "$IT_T/flows.json" "flow($f)['state']")" active "flow $f state"
done
it_stats_json "$IT_T/stats1.json"
it_expect_eq "$(it_py "$IT_T/stats1.json" 'j["total"]["fwd_rtp"]')" $(( 2 * N )) "lcore fwd_rtp"
it_expect_drops_zero "$IT_T/stats1.json"

it_check "raw RTCP (RR) both ways on the RTCP flows, and RTCP-mux: RTCP to A->B's RTP port goes to flow $R_AB"
# RR: V=2 RC=1 PT=201 length 7 | sender SSRC | report block (SSRC, lost, ext. seq, jitter, LSR, DLSR)
RR_A=81c90007a0a0a0a0b0b0b0b00000000000000010000000000000000000000000
RR_B=81c90007b0b0b0b0a0a0a0a00000000000000010000000000000000000000000
it_peer_bg rtcp_b "$TOPO_NS_B" "$IT_T/rtcp_b.json" recv --bind "$B:30001" --count 0 --timeout-ms 1500 \
    --duration-ms 10000 --ready-file "$IT_T/rtcp_b.ready"
P_CB=$RG_LAST_PID
it_peer_bg rtcp_a "$TOPO_NS_A" "$IT_T/rtcp_a.json" recv --bind "$A:30001" --count 0 --timeout-ms 1500 \
    --duration-ms 10000 --ready-file "$IT_T/rtcp_a.ready"
P_CA=$RG_LAST_PID
it_wait_file "$IT_T/rtcp_b.ready"
it_wait_file "$IT_T/rtcp_a.ready"
it_peer "$TOPO_NS_A" send --bind "$A:30011" --to "$RA:20001" --count 3 --pps 100 --raw-hex $RR_A > "$IT_T/s1.json"
it_peer "$TOPO_NS_B" send --bind "$B:30011" --to "$RB:20003" --count 3 --pps 100 --raw-hex $RR_B > "$IT_T/s2.json"
it_peer "$TOPO_NS_A" send --bind "$A:30012" --to "$RA:20000" --count 2 --pps 100 --raw-hex $RR_A > "$IT_T/s3.json"
it_wait_pid "$P_CB" 15 || true   # --count 0 exits 1 when something arrived: the JSON is checked
it_wait_pid "$P_CA" 15 || true
it_expect_eq "$(it_json_get "$IT_T/rtcp_b.json" received)" 5 "B's RTCP port: 3 direct + 2 muxed RTCP packets"
it_expect_eq "$(it_py "$IT_T/rtcp_b.json" 'j["bad_reasons"]')" '{"rtcp": 5}' "B: all of them are RTCP"
it_expect_eq "$(it_json_get "$IT_T/rtcp_b.json" bytes)" 160 "B: RTCP payloads kept their size (5 x 32 bytes)"
it_expect_eq "$(it_py "$IT_T/rtcp_b.json" 'j["sources"]')" "[\"$RB:20003\"]" "B: RTCP source is the relay's RTCP port"
it_expect_eq "$(it_json_get "$IT_T/rtcp_a.json" received)" 3 "A's RTCP port: 3 RTCP packets"
it_expect_eq "$(it_py "$IT_T/rtcp_a.json" 'j["bad_reasons"]')" '{"rtcp": 3}' "A: all of them are RTCP"
it_expect_eq "$(it_py "$IT_T/rtcp_a.json" 'j["sources"]')" "[\"$RA:20001\"]" "A: RTCP source is the relay's RTCP port"
it_expect_eq "$(it_wait_flow "$R_AB" tx_pkts 5)" 5 "RTCP flow $R_AB tx_pkts (incl. muxed)"
it_expect_eq "$(it_wait_flow "$R_BA" tx_pkts 3)" 3 "RTCP flow $R_BA tx_pkts"
it_expect_eq "$(it_flow_val "$F_AB" rx_pkts)" $N "RTP flow $F_AB did not count the muxed RTCP"
it_stats_json "$IT_T/stats2.json"
it_expect_eq "$(it_py "$IT_T/stats2.json" 'j["total"]["fwd_rtcp"]')" 8 "lcore fwd_rtcp"
it_expect_eq "$(it_py "$IT_T/stats2.json" 'j["total"]["fwd_rtp"]')" $(( 2 * N )) "lcore fwd_rtp unchanged"
# Besides media, the port sends what the data plane itself originates (announcements of the
# media addresses at start, ARP/ND answers and probes) and what the kernel sends via TAP.
it_expect_eq "$(it_py "$IT_T/stats2.json" 'j["total"]["tx_pkts"] - sum(j["total"][k] for k in ("nbr_announces", "nbr_probes", "arp_replies", "nd_adverts", "exc_from_kernel"))')" $(( 2 * N + 8 )) "lcore tx_pkts (media)"
it_expect_drops_zero "$IT_T/stats2.json"
