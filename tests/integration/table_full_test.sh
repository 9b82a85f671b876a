#!/usr/bin/env bash
# Integration: flow-table limits and install errors, on a data plane with flow_capacity = 8
# (net_ring vdev: no traffic needed, no namespaces). 8 installs succeed, the 9th add fails
# at slot allocation with "flow table full"; del frees a slot for a new add; a duplicate
# local address:port and an out-of-range port are refused with clear messages; failed
# adds leave no slot (or relay port) allocated.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_binaries   # no root needed: no namespaces, no hugepages
it_setup table
RELAY=10.99.0.1 PEER=10.99.0.2
cat > "$IT_T/dp.conf" <<EOF
shm_name = $IT_SHM
port = 0 addr=$RELAY/24
port_min = 20000
port_max = 20019
flow_capacity = 8
mbufs = 1023
idle_mode = adaptive
publish_interval_ms = 100
neighbour = $PEER 02:00:00:00:00:02
EOF
it_dp_start "$IT_T/dp.conf" --vdev=net_ring0

allocated() { it_py <(ctl --json info) 'j["flows_allocated"]'; }
installed() { it_py <(ctl --json flows) 'len(j)'; }
# add_fail EXPECTED_MESSAGE MSG FLOWOPTS...: the add must fail (exit 1) with that message.
add_fail() {
    local want=$1 what=$2 out rc=0
    shift 2
    out=$(ctl add "$@" 2>&1) || rc=$?
    it_note "rtpgatectl add $*: exit $rc: $out"
    it_expect_eq "$rc" 1 "$what: exit status"
    [[ "$out" == *"$want"* ]] || it_fail "$what: expected a message containing '$want', got '$out'"
    printf 'ok: %s: message says "%s"\n' "$what" "$want"
}

it_check "8 flows install into an 8-slot table"
for i in 0 1 2 3 4 5 6 7; do
    id=$(it_add --local "$RELAY:$(( 20000 + 2 * i ))" --to "$PEER:$(( 30000 + 2 * i ))")
    it_expect_eq "$id" "$i" "flow on port $(( 20000 + 2 * i )) got id"
done
it_expect_eq "$(allocated)" 8 "info: flows allocated"
it_expect_eq "$(installed)" 8 "flows listed"

it_check "the 9th add fails with 'flow table full'"
add_fail "flow table full" "9th add" --local "$RELAY:20016" --to "$PEER:30016"
it_expect_eq "$(allocated)" 8 "info: flows allocated after the failed add"

it_check "del frees a slot; a new add succeeds and reuses it"
ctl del 3 || it_fail "del 3 failed"
it_expect_eq "$(allocated)" 7 "flows allocated after del"
it_expect_eq "$(installed)" 7 "flows listed after del"
id=$(it_add --local "$RELAY:20006" --to "$PEER:30100")
it_expect_eq "$id" 3 "new flow reuses slot"
it_expect_eq "$(it_flow_val 3 to)" "$PEER:30100" "new flow 3 has the new destination"
it_expect_eq "$(allocated)" 8 "flows allocated"

it_check "install errors: duplicate local address:port, out-of-range port, foreign address"
ctl del 7 || it_fail "del 7 failed"
add_fail "already matches" "duplicate of flow 0's $RELAY:20000" --local "$RELAY:20000" --to "$PEER:31000"
add_fail "bad parameter" "local port 30000 outside 20000-20019" --local "$RELAY:30000" --to "$PEER:31000"
add_fail "not one of the data plane's media addresses" "local address 10.99.0.9" \
    --local 10.99.0.9:20000 --to "$PEER:31000"
it_expect_eq "$(allocated)" 7 "failed installs left no slot allocated"
it_expect_eq "$(installed)" 7 "flows listed"
it_expect_eq "$(it_flow_val 0 to)" "$PEER:30000" "flow 0 untouched by the duplicate"
it_stats_json "$IT_T/s.json"
it_expect_eq "$(it_py "$IT_T/s.json" 'j["total"]["cmds_failed"]')" 2 "lcore cmds_failed (duplicate + out of range)"
it_expect_eq "$(it_py "$IT_T/s.json" 'j["total"]["cmds_applied"]')" 11 "lcore cmds_applied (9 installs + 2 removes)"

it_check "a failed add does not consume relay ports: with the table full, repeated auto-port adds keep failing with 'flow table full' (2 free port pairs remain)"
it_add --local "$RELAY:20014" --to "$PEER:30014" >/dev/null
it_expect_eq "$(allocated)" 8 "table full again"
for attempt in 1 2 3; do
    add_fail "flow table full" "auto-port add attempt $attempt" --local "$RELAY:0" --to "$PEER:31000"
done
