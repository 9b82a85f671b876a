#!/usr/bin/env bash
# Integration: the packet rings between data plane and control (the WebRTC-side media
# bridge of the Janus plugin). A flow with --action ctl hands peer A's RTP to control's
# ring; `rtpgatectl ctl-echo` plays the plugin and puts every payload back on the
# control-to-data-plane ring; the data plane builds Ethernet/IP/UDP around it and sends it
# from the flow's relay address to A. Every packet comes back intact.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
it_setup bridge
topo_up itbr >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP RA=$TOPO_RELAY_A
N=1000
it_write_lab_conf "$IT_T/dp.conf"
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

it_check "a flow to control (--action ctl) whose output is peer A"
F=$(it_add --local "$RA:20010" --action ctl --to "$A:30020" --expect "$A")
it_note "flow $F"

it_check "$N packets A -> relay -> control ring -> ctl-echo -> data plane -> A"
rg_start_bg echo sh -c 'exec "$@" > "$0" 2>&1' "$IT_T/echo.json" "$IT_CTL_BIN" --shm "$IT_SHM" \
    ctl-echo --seconds 20 --count $N
P_ECHO=$RG_LAST_PID
it_peer_bg recv_a "$TOPO_NS_A" "$IT_T/recv_a.json" recv --bind "$A:30020" --count $N --timeout-ms 3000 \
    --duration-ms 20000 --expect-from "$RA:20010" --ready-file "$IT_T/recv_a.ready"
P_RA=$RG_LAST_PID
it_wait_file "$IT_T/recv_a.ready"
it_peer "$TOPO_NS_A" send --bind "$A:30021" --to "$RA:20010" --count $N --pps 2000 --ssrc 0x5151 > "$IT_T/send.json"
it_wait_pid "$P_RA" 20 || true
it_wait_pid "$P_ECHO" 20 || true
cat "$IT_T/echo.json"
it_expect_eq "$(it_json_get "$IT_T/echo.json" echoed)" $N "ctl-echo echoed every packet"
it_expect_eq "$(it_json_get "$IT_T/recv_a.json" valid)" $N "A received every packet back"
it_expect_eq "$(it_json_get "$IT_T/recv_a.json" missing)" 0 "nothing missing"
it_expect_eq "$(it_json_get "$IT_T/recv_a.json" bad)" 0 "payloads intact (UDP checksums valid, pattern verified)"
it_expect_eq "$(it_json_get "$IT_T/recv_a.json" unexpected_from)" 0 "sent from the relay address:port"
it_wait_stat ctl_tx_pkts $N >/dev/null
it_expect_eq "$(it_stat_val to_ctl_ring)" $N "lcore to_ctl_ring"
it_expect_eq "$(it_stat_val ctl_tx_pkts)" $N "lcore ctl_tx_pkts"
it_expect_eq "$(it_stat_val drop_ctl_ring_full)" 0 "no control ring overflow"
it_expect_eq "$(it_stat_val drop_ctl_bad_flow)" 0 "no control packet for a bad flow"
echo "PASS"
