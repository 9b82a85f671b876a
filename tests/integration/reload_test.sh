#!/usr/bin/env bash
# Integration: configuration reload while a stream runs. 3000 RTP packets A -> B at 500 pps
# through the data plane (lab topology, net_af_packet); meanwhile:
#  - `rtpgatectl reload` shortens control_grace_ms from 600 s to 1 s and changes two rate
#    limits: the change takes effect (the TO_CTL flow a dead controller left behind is
#    expired about a second later) and `rtpgatectl config` shows the new values;
#  - a reload that changes port_min is refused naming the key and its line, nothing changes;
#  - SIGHUP (rtpgatectl reload --signal) applies pli_min_interval_ms.
# The stream loses nothing: every packet arrives, in order, on the same flow.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
it_setup reload
topo_up itrld >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
N=3000
CONF=$IT_T/dp.conf
write_conf() {  # EXTRA LINES...: the lab configuration plus these lines (the last ones win)
    it_write_lab_conf "$CONF" "control_grace_ms = 600000" "pli_min_interval_ms = 500" "$@"
}
cfg_val() { it_py <(ctl --json config) "j[\"settings\"][\"$1\"]"; }
write_conf
it_dp_start "$CONF" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

it_check "start-up settings in the configuration block"
it_expect_eq "$(cfg_val control_grace_ms)" 600000 "config: control_grace_ms"
it_expect_eq "$(it_py <(ctl --json config) 'j["path"]')" "$CONF" "config: path"
it_expect_eq "$(it_py <(ctl --json config) 'j["config_gen"]')" 1 "config: generation"

it_check "a stream A -> B ($N packets at 500 pps) and a TO_CTL flow whose controller is gone"
F=$(it_add --local "$RA:20000" --to "$B:30000" --from "$RB:20002" --rewrite --expect "$A")
CTLF=$(it_add --local "$RA:20010" --to "$B:30010" --action ctl)
it_note "stream flow $F, orphaned TO_CTL flow $CTLF"
it_peer_bg recv_b "$TOPO_NS_B" "$IT_T/recv_b.json" recv --bind "$B:30000" --count $N --timeout-ms 3000 \
    --duration-ms 30000 --expect-from "$RB:20002" --ready-file "$IT_T/recv_b.ready"
P_R=$RG_LAST_PID
it_wait_file "$IT_T/recv_b.ready"
it_peer_bg send_a "$TOPO_NS_A" "$IT_T/send_a.json" send --bind "$A:30000" --to "$RA:20000" --count $N --pps 500
P_S=$RG_LAST_PID
sleep 1
it_expect_eq "$(it_flow_val "$F" state)" active "stream flow active before the reload"

it_check "rtpgatectl reload: control_grace_ms 600000 -> 1000, exception limits changed, while packets flow"
write_conf "control_grace_ms = 1000" "exception_rate_pps = 5000" "exception_burst = 64"
out=$(ctl reload) || it_fail "reload refused: $out"
it_note "$out"
[[ $out == *"control_grace_ms 600000 -> 1000"* ]] || it_fail "reload output does not name the change: $out"
it_expect_eq "$(cfg_val control_grace_ms)" 1000 "config after reload: control_grace_ms"
it_expect_eq "$(cfg_val exception_rate_pps)" 5000 "config after reload: exception_rate_pps"
it_expect_eq "$(it_py <(ctl --json config) 'j["config_gen"]')" 2 "config: generation after reload"
t0=$(date +%s%N)
exp=0
for (( i = 0; i < 40; i++ )); do
    exp=$(it_stat_val flows_ctl_expired)
    [[ $exp == 1 ]] && break
    sleep 0.1
done
it_expect_eq "$exp" 1 "orphaned TO_CTL flow expired under the new grace"
it_note "expired $(( ($(date +%s%N) - t0) / 1000000 )) ms after the reload returned"
it_expect_eq "$(it_flow_val "$F" state)" active "stream flow still active"

it_check "a reload changing port_min is refused naming key and line; nothing changes"
write_conf "control_grace_ms = 1000" "exception_rate_pps = 5000" "exception_burst = 64" "port_min = 20100" \
    "pli_min_interval_ms = 100"
line=$(grep -n '^port_min = 20100' "$CONF" | cut -d: -f1)
rc=0; out=$(ctl reload 2>&1) || rc=$?
it_note "$out"
it_expect_eq "$rc" 1 "refused reload exit status"
[[ $out == *"line $line: port_min 20000 -> 20100"*"needs a restart"* ]] || it_fail "refusal does not name line $line: $out"
it_expect_eq "$(cfg_val pli_min_interval_ms)" 500 "pli_min_interval_ms unchanged by the refused reload"
it_expect_eq "$(it_py <(ctl --json config) 'j["reload_failures"]')" 1 "config: reload failures"

it_check "SIGHUP (reload --signal) applies pli_min_interval_ms = 250"
write_conf "control_grace_ms = 1000" "exception_rate_pps = 5000" "exception_burst = 64" "pli_min_interval_ms = 250"
out=$(ctl reload --signal) || it_fail "SIGHUP reload refused: $out"
it_note "$out"
it_expect_eq "$(cfg_val pli_min_interval_ms)" 250 "config after SIGHUP: pli_min_interval_ms"

it_check "the stream lost nothing across three reloads"
rc=0; it_wait_pid "$P_S" 20 || rc=$?; it_expect_eq "$rc" 0 "sender exit status"
rc=0; it_wait_pid "$P_R" 25 || rc=$?
it_note "receiver: $(it_py "$IT_T/recv_b.json" '{k: j[k] for k in ("received","valid","missing","duplicates","seq_gaps")}')"
it_expect_eq "$(it_json_get "$IT_T/send_a.json" sent)" $N "sent"
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" valid)" $N "received valid"
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" missing)" 0 "missing"
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" duplicates)" 0 "duplicates"
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" seq_gaps)" 0 "sequence gaps"
it_expect_eq "$rc" 0 "receiver exit status"
it_expect_eq "$(it_flow_val "$F" tx_pkts)" $N "stream flow tx_pkts"
echo "PASS: reload"
