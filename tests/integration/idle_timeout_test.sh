#!/usr/bin/env bash
# Integration: idle detection. A flow with --idle-ms 500 carrying traffic is "active";
# 500 ms after the traffic stops `rtpgatectl watch` sees exactly one idle notification
# and `flows --json` shows state idle; when traffic resumes the flow is active again and
# a later stop is notified once more.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
it_setup idle
topo_up itidle >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
it_write_lab_conf "$IT_T/dp.conf"
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

# Ever-listening receiver at B (the idle flow's destination).
it_peer_bg recv_b "$TOPO_NS_B" "$IT_T/recv_b.json" recv --bind "$B:30000" --count 0 --timeout-ms 30000 \
    --duration-ms 30000 --ready-file "$IT_T/recv_b.ready"
it_wait_file "$IT_T/recv_b.ready"

# A watcher (holds the controller lock while it runs: no add/del meanwhile).
start_watch() {  # NAME SECONDS
    # shellcheck disable=SC2016  # expanded by the inner sh
    rg_start_bg "$1" sh -c 'out=$1; shift; exec "$@" >"$out" 2>&1' sh "$IT_T/$1.txt" \
        "$IT_CTL_BIN" --shm "$IT_SHM" watch --seconds "$2"
    sleep 0.1
}
finish_watch() {  # NAME: wait for the watcher's end (bounded), print its output
    local rc=0
    it_wait_pid "$(rg_pid "$1")" 15 || rc=$?
    it_expect_eq "$rc" 0 "watch $1 exit status"
    sed 's/^/   watch: /' "$IT_T/$1.txt"
}

it_check "flow with --idle-ms 500 is active while 600 packets flow at 400 pps"
F=$(it_add --local "$RA:20000" --to "$B:30000" --from "$RB:20002" --expect "$A" --idle-ms 500)
start_watch watch1 4
it_peer_bg send1 "$TOPO_NS_A" "$IT_T/send1.json" send --bind "$A:30000" --to "$RA:20000" --count 600 --pps 400
P_S1=$RG_LAST_PID
sleep 0.9
it_expect_eq "$(it_flow_val "$F" state)" active "state while traffic flows"
rc=0; it_wait_pid "$P_S1" 10 || rc=$?
it_expect_eq "$rc" 0 "sender exit status"
t_stop=$(date +%s%N)
it_expect_eq "$(it_flow_val "$F" state)" active "state right after the traffic stops"

it_check "after 500 ms without packets: state idle, one notification"
st=$(it_wait_flow "$F" state idle 3000)
it_note "idle seen $(( ($(date +%s%N) - t_stop) / 1000000 )) ms after the last packet"
it_expect_eq "$st" idle "state after the traffic stopped"
finish_watch watch1
it_expect_eq "$(grep -c '^idle ' "$IT_T/watch1.txt" || true)" 1 "idle notifications"
it_expect_eq "$(grep '^idle ' "$IT_T/watch1.txt")" "idle flow=$F version=1" "notification names the flow and its version"
it_expect_eq "$(wc -l < "$IT_T/watch1.txt")" 1 "no other records"
it_expect_eq "$(it_flow_val "$F" state)" idle "still idle (no repeated notification)"
it_expect_eq "$(it_flow_val "$F" tx_pkts)" 600 "flow $F tx_pkts"

it_check "traffic resumes: active again; stops again: notified once more"
start_watch watch2 3
it_peer_bg send2 "$TOPO_NS_A" "$IT_T/send2.json" send --bind "$A:30000" --to "$RA:20000" --count 200 --pps 400
P_S2=$RG_LAST_PID
it_expect_eq "$(it_wait_flow "$F" state active 1000)" active "state once traffic resumed"
rc=0; it_wait_pid "$P_S2" 10 || rc=$?
it_expect_eq "$rc" 0 "sender exit status"
finish_watch watch2
it_expect_eq "$(grep -c '^idle ' "$IT_T/watch2.txt" || true)" 1 "idle notifications after the second stop"
it_expect_eq "$(it_flow_val "$F" state)" idle "state after the second stop"
it_expect_eq "$(it_flow_val "$F" tx_pkts)" 800 "flow $F tx_pkts"
rg_stop recv_b
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" received)" 800 "B received every packet"

it_check "lcore counter flows_expired (\"flows reported idle\") counts the two notifications"
it_expect_eq "$(it_stat_val flows_expired)" 2 "lcore flows_expired"
