#!/usr/bin/env bash
# Integration: SDES-SRTP in the real rtpgate-dataplane process on the lab topology
# (namespaces + veths, net_af_packet). Contexts are programmed through the region and the
# command ring (rtpgatectl srtp-set), flows name them (--srtp-in/--srtp-out). Peers are
# libsrtp2 (tests/srtp/srtp_peer.cc). A -> relay: SRTP with key KA, unprotected and
# re-protected with key KB (transcryption) -> B; B -> relay: SRTP with KC -> plain -> A.
# Every 25th packet from A is tampered with: dropped and counted (drop_srtp_auth), the flow
# continues. A flow naming a context that does not exist drops with drop_srtp_no_ctx.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

SRTP_PEER=$IT_BUILD/tests/srtp/srtp-peer
it_need_root
it_need_netns
it_need_binaries
[[ -x $SRTP_PEER ]] || it_fail "$SRTP_PEER not built"
IT_PEER_BIN=$SRTP_PEER   # every peer of this test speaks SRTP (libsrtp2)
it_setup srtp
topo_up itsrtp >/dev/null 2>"$IT_T/topo.log" || { cat "$IT_T/topo.log" >&2; it_fail "topo_up failed"; }

A=$TOPO_A_IP B=$TOPO_B_IP RA=$TOPO_RELAY_A RB=$TOPO_RELAY_B
N=500 TAMPER=25
PROFILE=${SRTP_PROFILE:-AES_CM_128_HMAC_SHA1_80}
case $PROFILE in
    AEAD_AES_256_GCM) KLEN=88 ;;
    AEAD_AES_128_GCM) KLEN=56 ;;
    *) KLEN=60 ;;
esac
hexkey() { "$IT_PY" -c "import os; print(os.urandom(64).hex()[:$KLEN])"; }
KA=$(hexkey) KB=$(hexkey) KC=$(hexkey)
it_write_lab_conf "$IT_T/dp.conf" "srtp_capacity = 64"
it_dp_start "$IT_T/dp.conf" --vdev="net_af_packet0,iface=$TOPO_DP0" --vdev="net_af_packet1,iface=$TOPO_DP1"

it_check "SRTP contexts through the region ($PROFILE); the region is not world-readable"
mode=$(stat -c %a "/dev/shm/${IT_SHM#/}")
it_expect_eq "$(( 8#$mode & 8#007 ))" 0 "region mode $mode has no access for others"
S_IN_A=$(ctl srtp-set --profile "$PROFILE" --dir in --key "$KA")
S_OUT_B=$(ctl srtp-set --profile "$PROFILE" --dir out --key "$KB")
S_IN_B=$(ctl srtp-set --profile "$PROFILE" --dir in --key "$KC")
it_note "contexts: in(A)=$S_IN_A out(B)=$S_OUT_B in(B)=$S_IN_B"
ctl srtp > "$IT_T/srtp.txt"
it_expect_eq "$(wc -l < "$IT_T/srtp.txt")" 3 "rtpgatectl srtp lists 3 contexts"
it_expect_eq "$(grep -ciE "$KA|$KB|$KC" "$IT_T/srtp.txt" || true)" 0 "no key material printed"
F_AB=$(it_add --local "$RA:20000" --to "$B:30002" --from "$RB:20002" --srtp-in "$S_IN_A" --srtp-out "$S_OUT_B")
F_BA=$(it_add --local "$RB:20002" --to "$A:30002" --from "$RA:20000" --srtp-in "$S_IN_B")

it_check "$N packets each way: A->B transcrypted (1 in $TAMPER tampered), B->A unprotected to plain"
it_peer_bg recv_b "$TOPO_NS_B" "$IT_T/recv_b.json" recv --bind "$B:30002" --count $(( N - N / TAMPER )) \
    --timeout-ms 3000 --profile "$PROFILE" --key "$KB"
P_RB=$RG_LAST_PID
it_peer_bg recv_a "$TOPO_NS_A" "$IT_T/recv_a.json" recv --bind "$A:30002" --count $N --timeout-ms 3000
P_RA=$RG_LAST_PID
sleep 0.3
it_peer "$TOPO_NS_A" send --bind "$A:30000" --to "$RA:20000" --count $N --pps 2000 \
    --profile "$PROFILE" --key "$KA" --seq0 65300 --tamper-every $TAMPER > "$IT_T/send_a.json"
it_peer "$TOPO_NS_B" send --bind "$B:30000" --to "$RB:20002" --count $N --pps 2000 \
    --profile "$PROFILE" --key "$KC" > "$IT_T/send_b.json"
rc=0; it_wait_pid "$P_RB" 20 || rc=$?
it_note "B: $(cat "$IT_T/recv_b.json")"
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" valid)" $(( N - N / TAMPER )) "B: every untampered packet, decrypted by libsrtp2 (across the ROC rollover)"
it_expect_eq "$(it_json_get "$IT_T/recv_b.json" unprotect_fail)" 0 "B: libsrtp2 unprotect failures"
rc=0; it_wait_pid "$P_RA" 20 || rc=$?
it_note "A: $(cat "$IT_T/recv_a.json")"
it_expect_eq "$(it_json_get "$IT_T/recv_a.json" valid)" $N "A: every packet, plain"
it_expect_eq "$(it_wait_flow "$F_AB" srtp_auth_fail $(( N / TAMPER )))" $(( N / TAMPER )) "flow $F_AB srtp_auth_fail"
it_expect_eq "$(it_wait_stat drop_srtp_auth $(( N / TAMPER )))" $(( N / TAMPER )) "lcore drop_srtp_auth"
it_expect_eq "$(it_wait_stat srtp_protected $(( N - N / TAMPER )))" $(( N - N / TAMPER )) "lcore srtp_protected"
it_expect_eq "$(it_wait_stat srtp_unprotected $(( 2 * N - N / TAMPER )))" $(( 2 * N - N / TAMPER )) "lcore srtp_unprotected"

it_check "replayed packets are dropped and counted (drop_srtp_replay)"
it_peer "$TOPO_NS_B" send --bind "$B:30000" --to "$RB:20002" --count 20 --pps 2000 \
    --profile "$PROFILE" --key "$KC" --seq0 $(( N - 19 )) > "$IT_T/send_b2.json"   # seqs N-19..N again
it_expect_eq "$(it_wait_stat drop_srtp_replay 20)" 20 "lcore drop_srtp_replay"

it_check "a restarted peer (sequence numbers back at 1) is re-synchronised, not dropped for ever"
it_peer_bg recv_a2 "$TOPO_NS_A" "$IT_T/recv_a2.json" recv --bind "$A:30002" --count 13 --timeout-ms 2000
P_RA2=$RG_LAST_PID
sleep 0.3
it_peer "$TOPO_NS_B" send --bind "$B:30000" --to "$RB:20002" --count 20 --pps 2000 \
    --profile "$PROFILE" --key "$KC" --seq0 1 > "$IT_T/send_b3.json"
rc=0; it_wait_pid "$P_RA2" 10 || rc=$?
it_expect_eq "$(it_json_get "$IT_T/recv_a2.json" valid)" 13 "A: the restarted stream after 7 dropped candidates"
it_expect_eq "$(it_wait_stat srtp_resync 1)" 1 "lcore srtp_resync"
it_expect_eq "$(it_wait_stat drop_srtp_replay 27)" 27 "lcore drop_srtp_replay (+7 candidates)"

it_check "a flow naming a context that is not set drops with drop_srtp_no_ctx"
ctl srtp-del "$S_IN_B"
it_peer "$TOPO_NS_B" send --bind "$B:30000" --to "$RB:20002" --count 10 --pps 2000 \
    --profile "$PROFILE" --key "$KC" --seq0 5000 > "$IT_T/send_b4.json"
it_expect_eq "$(it_wait_flow "$F_BA" srtp_no_ctx 10)" 10 "flow $F_BA srtp_no_ctx"
it_expect_eq "$(it_wait_stat drop_srtp_no_ctx 10)" 10 "lcore drop_srtp_no_ctx"
ctl del "$F_AB"
ctl del "$F_BA"
ctl srtp-del "$S_IN_A"
ctl srtp-del "$S_OUT_B"
it_expect_eq "$(ctl srtp | wc -l)" 0 "every context deleted"
echo "PASS: srtp"
