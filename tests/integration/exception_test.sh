#!/usr/bin/env bash
# Integration: the data plane owns the port. No static neighbour entries anywhere: the
# peers resolve the media addresses by ARP and NDP (answered by the data plane), ping
# them (answered by the kernel through the TAP exception path), reach a kernel UDP
# listener on the SIP port, and stream RTP over IPv4 and IPv6 through programmed flows
# whose next hops the data plane resolves itself. ARP entries expire and re-resolve
# (packets are held meanwhile), and a flood of unknown UDP to the exception path is
# rate-limited without hurting media.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_netns
it_need_binaries
[[ -c /dev/net/tun ]] || it_skip "no /dev/net/tun: TAP exception path unavailable"
it_setup exception
TOPO_DYNAMIC=1 topo_up itexc >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }
A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
A6=$TOPO_A_IP6 B6=$TOPO_B_IP6 RA6=$TOPO_RELAY_A6 RB6=$TOPO_RELAY_B6
TAP0=itexc-tap0 TAP1=itexc-tap1
cat > "$IT_T/dp.conf" <<CONF
shm_name = $IT_SHM
port = 0 addr=$RA/24 addr=$RA6/64 tap=$TAP0
port = 1 addr=$RB/24 addr=$RB6/64 tap=$TAP1
port_min = 20000
port_max = 20999
flow_capacity = 1024
mbufs = 4095
idle_mode = adaptive
publish_interval_ms = 100
neighbour_max_age_s = 1
neighbour_retry_ms = 200
neighbour_probes = 3
exception_rate_pps = 300
exception_burst = 50
CONF
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

it_check "the kernel carries the media addresses on the TAP interfaces, with the ports' MACs"
ip -br addr show dev "$TAP0" | grep -q "$RA/24" || it_fail "$TAP0 lacks $RA"
ip -br addr show dev "$TAP0" | grep -q "$RA6/64" || it_fail "$TAP0 lacks $RA6"
it_expect_eq "$(<"/sys/class/net/$TAP0/address")" "$TOPO_DP0_MAC" "$TAP0 MAC = data port MAC"

it_check "ping over IPv4 and IPv6: ARP/NDP answered by the data plane, echo by the kernel"
ip netns exec "$TOPO_NS_A" ping -c 3 -i 0.2 -W 2 "$RA" > "$IT_T/ping4.txt" || { cat "$IT_T/ping4.txt"; it_fail "ping $RA"; }
ip netns exec "$TOPO_NS_A" ping -6 -c 3 -i 0.2 -W 2 "$RA6" > "$IT_T/ping6.txt" || { cat "$IT_T/ping6.txt"; it_fail "ping $RA6"; }
grep -q DUP "$IT_T/ping4.txt" "$IT_T/ping6.txt" && it_fail "duplicate echo replies (the veth's kernel answered too)"
it_expect_eq "$(ip -n "$TOPO_NS_A" neigh show "$RA" | awk '{print $5}')" "$TOPO_DP0_MAC" "A resolved $RA by ARP"
it_expect_eq "$(ip -n "$TOPO_NS_A" -6 neigh show "$RA6" | awk '{print $5}')" "$TOPO_DP0_MAC" "A resolved $RA6 by NDP"
it_expect_true "$(it_py <(ctl --json stats) 'j["total"]["arp_replies"] >= 1 and j["total"]["nd_adverts"] >= 1')" "ARP and NS answered by the data plane"
it_expect_true "$(it_py <(ctl --json stats) 'j["total"]["exc_icmp"] >= 6 and j["total"]["exc_from_kernel"] >= 6')" "echoes went through the TAP both ways"

it_check "a kernel UDP listener on the SIP port (5060) is reached through the SIP hook"
rg_start_bg sip_echo sh -c 'exec "$@" > "$0" 2>&1' "$IT_T/sip_echo.json" "$IT_PEER_BIN" echo --bind "$RA:5060" --count 5 --timeout-ms 10000
sleep 0.2
ip netns exec "$TOPO_NS_A" "$IT_PY" - "$RA" <<'PY' > "$IT_T/sip_client.txt"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
got = 0
for i in range(5):
    msg = b"OPTIONS sip:relay SIP/2.0\r\nCall-ID: %d\r\n\r\n" % i
    s.sendto(msg, (sys.argv[1], 5060))
    if s.recvfrom(2048)[0] == msg:
        got += 1
print(got)
PY
it_expect_eq "$(cat "$IT_T/sip_client.txt")" 5 "5 SIP datagrams echoed by the kernel listener"
it_expect_eq "$(it_stat_val exc_sip)" 5 "lcore exc_sip"

it_check "RTP over IPv4 and IPv6 through flows; next hops resolved by ARP/NS from the data plane"
ctl add --local "$RA:20000" --to "$B:40000" --from "$RB:20002" --rewrite > /dev/null
ctl add --local "[$RA6]:20010" --to "[$B6]:40010" --from "[$RB6]:20012" --rewrite > /dev/null
stream() {  # TAG SRC_BIND DST RECV_BIND COUNT PPS
    it_peer_bg "recv_$1" "$TOPO_NS_B" "$IT_T/recv_$1.json" recv --bind "$4" --count "$5" --timeout-ms 3000 \
        --duration-ms 30000 --ready-file "$IT_T/recv_$1.ready"
    local rp=$RG_LAST_PID
    it_wait_file "$IT_T/recv_$1.ready"
    it_peer "$TOPO_NS_A" send --bind "$2" --to "$3" --count "$5" --pps "$6" > /dev/null
    it_wait_pid "$rp" 10 || true
    it_expect_eq "$(it_json_get "$IT_T/recv_$1.json" valid)/$(it_json_get "$IT_T/recv_$1.json" missing)" "$5/0" "$1: $5 packets, none missing"
}
stream v4 "$A:30000" "$RA:20000" "$B:40000" 300 500
stream v6 "[$A6]:30010" "[$RA6]:20010" "[$B6]:40010" 300 500
it_expect_true "$(it_py <(ctl --json stats) 'j["total"]["nbr_probes"] >= 2 and j["total"]["nbr_learnt"] >= 2')" "next hops probed and learnt"

it_check "ARP entries age out and re-resolve; packets wait for the answer instead of being lost"
ip -n "$TOPO_NS_B" link set dev eth0 arp off   # B stops answering: the entry must expire
for (( i = 0; i < 60; i++ )); do
    [[ "$(it_stat_val nbr_expired)" -ge 1 ]] && break
    sleep 0.1
done
it_expect_true "$(it_py <(ctl --json stats) 'j["total"]["nbr_expired"] >= 1')" "unanswered entry expired"
held0=$(it_stat_val nbr_held)
it_peer_bg recv_again "$TOPO_NS_B" "$IT_T/recv_again.json" recv --bind "$B:40000" --count 100 --timeout-ms 3000 \
    --duration-ms 30000 --ready-file "$IT_T/recv_again.ready"
RP=$RG_LAST_PID
it_wait_file "$IT_T/recv_again.ready"
it_peer_bg send_again "$TOPO_NS_A" "$IT_T/send_again.json" send --bind "$A:30000" --to "$RA:20000" --count 100 --pps 200
sleep 0.2   # the first packets find the next hop unresolved and wait
ip -n "$TOPO_NS_B" link set dev eth0 arp on
it_wait_pid "$RP" 10 || true
it_expect_eq "$(it_json_get "$IT_T/recv_again.json" valid)/$(it_json_get "$IT_T/recv_again.json" missing)" "100/0" "after re-resolution: 100 packets, none missing"
it_expect_true "$(it_py <(ctl --json stats) "j['total']['nbr_held'] > $held0 and j['total']['nbr_released'] >= 1 and j['total']['drop_hold_timeout'] == 0")" "packets held while resolving, then released"

it_check "IPv6 neighbour entries age out and re-resolve by NS/NA too"
exp0=$(it_stat_val nbr_expired)
ip -n "$TOPO_NS_B" addr del "$B6/64" dev eth0   # B no longer answers NS for its address
for (( i = 0; i < 60; i++ )); do
    [[ "$(it_stat_val nbr_expired)" -gt "$exp0" ]] && break
    sleep 0.1
done
it_expect_true "$(it_py <(ctl --json stats) "j['total']['nbr_expired'] > $exp0")" "unanswered IPv6 entry expired"
ip -n "$TOPO_NS_B" addr add "$B6/64" dev eth0 nodad
stream v6again "[$A6]:30010" "[$RA6]:20010" "[$B6]:40010" 100 200

it_check "a flood of unknown UDP to the exception path is rate-limited; media unharmed"
it_peer_bg recv_media "$TOPO_NS_B" "$IT_T/recv_media.json" recv --bind "$B:40000" --count 500 --timeout-ms 3000 \
    --duration-ms 30000 --ready-file "$IT_T/recv_media.ready"
RP=$RG_LAST_PID
it_wait_file "$IT_T/recv_media.ready"
it_peer_bg flood "$TOPO_NS_A" "$IT_T/flood.json" send --bind "$A:31000" --to "$RA:6000" --count 6000 --pps 6000 --raw-hex 00112233445566778899
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20000" --count 500 --pps 500 > /dev/null
it_wait_pid "$RP" 10 || true
it_expect_eq "$(it_json_get "$IT_T/recv_media.json" valid)/$(it_json_get "$IT_T/recv_media.json" missing)" "500/0" "media during the flood: 500 packets, none missing"
it_stats_json "$IT_T/stats_flood.json"
it_expect_true "$(it_py "$IT_T/stats_flood.json" 'j["total"]["drop_exc_ratelimit"] >= 4000')" "flood dropped by the rate limit ($(it_py "$IT_T/stats_flood.json" 'j["total"]["drop_exc_ratelimit"]'))"
it_expect_true "$(it_py "$IT_T/stats_flood.json" 'j["total"]["exc_udp"] <= 300 * 3 + 50')" "at most rate x time + burst reached the kernel ($(it_py "$IT_T/stats_flood.json" 'j["total"]["exc_udp"]'))"
echo "PASS"
