#!/usr/bin/env bash
# Integration: source filtering and opt-in latching ("RTP bleed" guard).
#  1. --expect IP:PORT without latching: packets from another port or address are dropped
#     (drop_source) and nothing is forwarded.
#  2. --latch 3000 --peer A:30000 --reverse ID: inside the window a port change of the
#     peer (NAT rebinding) relatches and the reverse flow follows it; another address is
#     refused; after the window a further port change is refused. Counters as expected.
#  3. --latch with --expect-ssrc: a new address relatches when its SSRC is the expected one.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
it_setup latch
topo_up itlatch >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
A2=10.77.1.3   # a second address on peer A's interface: the "other host" of RTP bleed
ip -n "$TOPO_NS_A" addr add "$A2/24" dev eth0
WINDOW_MS=3000
it_write_lab_conf "$IT_T/dp.conf" "neighbour = $A2 $TOPO_A_MAC"
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

send_a() {  # BIND_IP:PORT RELAY_PORT COUNT
    it_peer "$TOPO_NS_A" send --bind "$1" --to "$RA:$2" --count "$3" --pps 1000 > "$IT_T/send.json"
}
send_b() {  # RELAY_PORT COUNT
    it_peer "$TOPO_NS_B" send --bind "$B:30100" --to "$RB:$1" --count "$2" --pps 1000 > "$IT_T/send.json"
}
# listen NAME NS IP:PORT: a receiver that records everything until stopped (SIGTERM).
listen() {
    it_peer_bg "$1" "$2" "$IT_T/$1.json" recv --bind "$3" --count 0 --timeout-ms 30000 --duration-ms 30000 \
        --ready-file "$IT_T/$1.ready"
    it_wait_file "$IT_T/$1.ready"
}
# unlisten NAME: stop a listener after a short drain; its JSON summary stays in $IT_T/NAME.json.
unlisten() {
    sleep 0.2
    rg_stop "$1"
    [[ -s "$IT_T/$1.json" ]] || it_fail "listener $1 wrote no summary"
}

it_check "without latching, --expect $A:30000 accepts only that source"
E_AB=$(it_add --local "$RA:20010" --to "$B:30010" --from "$RB:20012" --expect "$A:30000")
listen lst_e "$TOPO_NS_B" "$B:30010"
send_a "$A:30000" 20010 20
sleep 0.2
send_a "$A:30500" 20010 20    # same address, other port
send_a "$A2:30000" 20010 20   # other address
unlisten lst_e
it_expect_eq "$(it_json_get "$IT_T/lst_e.json" received)" 20 "B received only the 20 packets from $A:30000"
it_expect_eq "$(it_py "$IT_T/lst_e.json" 'j["sources"]')" "[\"$RB:20012\"]" "B: source is the relay"
it_expect_eq "$(it_wait_flow "$E_AB" drop_source 40)" 40 "flow $E_AB drop_source (20 from :30500 + 20 from $A2)"
it_flows_json "$IT_T/f1.json"
it_expect_eq "$(it_py "$IT_T/f1.json" "flow($E_AB)['rx_pkts']")" 60 "flow $E_AB rx_pkts"
it_expect_eq "$(it_py "$IT_T/f1.json" "flow($E_AB)['tx_pkts']")" 20 "flow $E_AB tx_pkts"
it_expect_eq "$(it_py "$IT_T/f1.json" "flow($E_AB)['relatch']")" 0 "flow $E_AB relatch"
it_stats_json "$IT_T/s1.json"
it_expect_eq "$(it_py "$IT_T/s1.json" 'j["total"]["drop_source"]')" 40 "lcore drop_source"
it_expect_eq "$(it_py "$IT_T/s1.json" 'j["total"]["relatch"]')" 0 "lcore relatch"

it_check "latching: --latch $WINDOW_MS --peer $A:30000 --reverse (B->A flow)"
L_BA=$(it_add --local "$RB:20002" --to "$A:30000" --from "$RA:20000")
L_AB=$(it_add --local "$RA:20000" --to "$B:30000" --from "$RB:20002" --latch $WINDOW_MS --peer "$A:30000" \
    --reverse "$L_BA")
t_install=$(date +%s%N)
it_note "flows: A->B $L_AB (latching), B->A $L_BA"
listen lst_b "$TOPO_NS_B" "$B:30000"
send_a "$A:30000" 20000 20
it_note "NAT rebinding inside the window: A now sends from $A:30500"
send_a "$A:30500" 20000 20
it_note "RTP bleed attempt inside the window: $A2:30000 sends to the same relay port"
send_a "$A2:30000" 20000 20
elapsed=$(( ($(date +%s%N) - t_install) / 1000000 ))
(( elapsed < WINDOW_MS - 300 )) || it_fail "test too slow: window phase took ${elapsed} ms of $WINDOW_MS"
it_note "window phase done ${elapsed} ms after install"
it_expect_eq "$(it_wait_flow "$L_BA" to "$A:30500")" "$A:30500" "reverse flow $L_BA now sends to the rebound port"
listen lst_a "$TOPO_NS_A" "$A:30500"
send_b 20002 20
unlisten lst_a
it_expect_eq "$(it_json_get "$IT_T/lst_a.json" received)" 20 "reverse direction: 20 packets arrive at $A:30500"
it_expect_eq "$(it_py "$IT_T/lst_a.json" 'j["sources"]')" "[\"$RA:20000\"]" "A: source is the relay"
it_expect_eq "$(it_wait_flow "$L_AB" relatch 1)" 1 "flow $L_AB relatch"
it_expect_eq "$(it_wait_flow "$L_AB" drop_source 20)" 20 "flow $L_AB drop_source (the $A2 packets)"

it_check "latching by SSRC: --latch $WINDOW_MS --peer $A:30000 --expect-ssrc 0x5500aa01 accepts $A2 with that SSRC"
S_BA=$(it_add --local "$RB:20022" --to "$A:30000" --from "$RA:20020")
S_AB=$(it_add --local "$RA:20020" --to "$B:30020" --from "$RB:20022" --latch $WINDOW_MS --peer "$A:30000" \
    --expect-ssrc 0x5500aa01 --reverse "$S_BA")
t_install_s=$(date +%s%N)
listen lst_b2 "$TOPO_NS_B" "$B:30020"
it_peer "$TOPO_NS_A" send --bind "$A2:30000" --to "$RA:20020" --count 10 --pps 1000 --ssrc 0x5500aa01 > /dev/null
elapsed=$(( ($(date +%s%N) - t_install_s) / 1000000 ))
(( elapsed < WINDOW_MS - 300 )) || it_fail "test too slow: SSRC window phase took ${elapsed} ms of $WINDOW_MS"
it_note "SSRC window phase done ${elapsed} ms after install"
unlisten lst_b2
it_expect_eq "$(it_json_get "$IT_T/lst_b2.json" received)" 10 "B received the 10 packets from $A2 (SSRC accepted)"
it_expect_eq "$(it_wait_flow "$S_BA" to "$A2:30000")" "$A2:30000" "reverse flow $S_BA now sends to $A2:30000"
listen lst_a3 "$TOPO_NS_A" "$A2:30000"
send_b 20022 10
unlisten lst_a3
it_expect_eq "$(it_json_get "$IT_T/lst_a3.json" received)" 10 "reverse direction arrives at $A2:30000"
it_expect_eq "$(it_py "$IT_T/lst_a3.json" 'j["sources"]')" "[\"$RA:20020\"]" "$A2: source is the relay"
it_flows_json "$IT_T/f3.json"
it_expect_eq "$(it_py "$IT_T/f3.json" "flow($S_AB)['relatch']")" 1 "flow $S_AB relatch"
it_expect_eq "$(it_py "$IT_T/f3.json" "flow($S_AB)['tx_pkts']")" 10 "flow $S_AB tx_pkts"
it_expect_eq "$(it_py "$IT_T/f3.json" "flow($S_AB)['drop_source']")" 0 "flow $S_AB drop_source"

left=$(( WINDOW_MS + 300 - ($(date +%s%N) - t_install) / 1000000 ))
if (( left > 0 )); then sleep "$(( left / 1000 )).$(printf '%03d' $(( left % 1000 )))"; fi
it_check "after the window: another port change ($A:30600) is refused, the reverse flow stays"
send_a "$A:30600" 20000 20
send_a "$A:30000" 20000 20    # the original port is no longer the latched one either
it_expect_eq "$(it_wait_flow "$L_AB" drop_source 60)" 60 "flow $L_AB drop_source (+20 from :30600, +20 from :30000)"
it_expect_eq "$(it_flow_val "$L_BA" to)" "$A:30500" "reverse flow $L_BA still sends to $A:30500"
listen lst_a2 "$TOPO_NS_A" "$A:30500"
send_b 20002 20
unlisten lst_a2
it_expect_eq "$(it_json_get "$IT_T/lst_a2.json" received)" 20 "reverse direction still arrives at $A:30500"
unlisten lst_b
it_expect_eq "$(it_json_get "$IT_T/lst_b.json" received)" 40 \
    "B received 40 (20 before + 20 after rebinding; nothing from $A2 or after the window)"
it_expect_eq "$(it_py "$IT_T/lst_b.json" 'j["sources"]')" "[\"$RB:20002\"]" "B: source is the relay"

it_check "counters"
it_flows_json "$IT_T/f2.json"
it_expect_eq "$(it_py "$IT_T/f2.json" "flow($L_AB)['rx_pkts']")" 100 "flow $L_AB rx_pkts"
it_expect_eq "$(it_py "$IT_T/f2.json" "flow($L_AB)['tx_pkts']")" 40 "flow $L_AB tx_pkts"
it_expect_eq "$(it_py "$IT_T/f2.json" "flow($L_AB)['relatch']")" 1 "flow $L_AB relatch"
it_expect_eq "$(it_py "$IT_T/f2.json" "flow($L_BA)['tx_pkts']")" 40 "flow $L_BA tx_pkts"
it_expect_eq "$(it_py "$IT_T/f2.json" "flow($L_BA)['relatch']")" 0 "flow $L_BA relatch"
it_stats_json "$IT_T/s2.json"
it_expect_eq "$(it_py "$IT_T/s2.json" 'j["total"]["relatch"]')" 2 "lcore relatch (port change + SSRC)"
it_expect_eq "$(it_py "$IT_T/s2.json" 'j["total"]["drop_source"]')" 100 "lcore drop_source (40 + 60)"
it_expect_eq "$(it_py "$IT_T/s2.json" 'j["total"]["fwd_rtp"]')" 120 "lcore fwd_rtp (20 + 40 + 40 + 10 + 10)"
it_expect_drops_zero "$IT_T/s2.json" drop_source
