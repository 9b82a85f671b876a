#!/usr/bin/env bash
# Integration without namespaces or hugepages: the data plane on a net_ring vdev with
# --no-huge starts, publishes its region (layout, generation, fresh heartbeat), accepts a
# flow install/remove, stops on SIGTERM with status 0 and unlinks the region; a bad
# config key fails with one clear line naming the key and line; no --config prints usage.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_binaries   # no root needed: no namespaces, no hugepages
it_setup noiface
RELAY=10.99.0.1 PEER=10.99.0.2
cat > "$IT_T/dp.conf" <<EOF
shm_name = $IT_SHM
port = 0 addr=$RELAY/24
port_min = 20000
port_max = 20999
flow_capacity = 64
mbufs = 1023
idle_mode = adaptive
publish_interval_ms = 100
neighbour = $PEER 02:00:00:00:00:02
EOF

it_check "starts on --vdev=net_ring0 --no-huge and becomes ready"
it_dp_start "$IT_T/dp.conf" --vdev=net_ring0
[[ -e "/dev/shm/${IT_SHM#/}" ]] || it_fail "region /dev/shm/${IT_SHM#/} does not exist"
it_note "region /dev/shm/${IT_SHM#/} exists"

it_check "info --json: layout, generation, state, heartbeat"
ctl --json info > "$IT_T/info.json"
it_note "$(cat "$IT_T/info.json")"
it_expect_true "$(it_py "$IT_T/info.json" 'j["layout"].split(".")[0].isdigit() and j["layout"].count(".") == 1')" \
    "layout is MAJOR.MINOR ($(it_json_get "$IT_T/info.json" layout))"
it_expect_true "$(it_py "$IT_T/info.json" 'j["generation"] > 0')" "generation is set"
it_expect_eq "$(it_json_get "$IT_T/info.json" state)" running "state"
it_expect_eq "$(it_json_get "$IT_T/info.json" dp_pid)" "$IT_DP_PID" "dp_pid"
it_expect_true "$(it_py "$IT_T/info.json" '0 <= j["heartbeat_age_ms"] < 1000')" \
    "heartbeat age < 1000 ms ($(it_json_get "$IT_T/info.json" heartbeat_age_ms))"
it_expect_eq "$(it_json_get "$IT_T/info.json" flow_capacity)" 64 "flow_capacity"
it_expect_eq "$(it_py "$IT_T/info.json" 'j["addrs"]')" "[\"$RELAY\"]" "media addresses"
it_expect_eq "$(it_py "$IT_T/info.json" '[j["port_min"], j["port_max"]]')" "[20000, 20999]" "port range"
sleep 0.5
it_expect_true "$(it_py <(ctl --json info) '0 <= j["heartbeat_age_ms"] < 1000')" "heartbeat still fresh 0.5 s later"

it_check "a flow can be installed and removed"
id=$(it_add --local "$RELAY:20000" --to "$PEER:30000" --rewrite --dscp 46)
it_expect_eq "$(it_flow_val "$id" local)" "$RELAY:20000" "flow $id local"
it_expect_eq "$(it_wait_flow "$id" state active)" active "flow $id state (published)"
it_expect_eq "$(it_py <(ctl --json info) 'j["flows_allocated"]')" 1 "flows allocated"
ctl del "$id" || it_fail "del $id failed"
it_expect_eq "$(it_py <(ctl --json flows) 'len(j)')" 0 "flows listed after del"
it_expect_eq "$(it_py <(ctl --json info) 'j["flows_allocated"]')" 0 "flows allocated after del"
it_expect_eq "$(it_py <(ctl --json stats) 'j["total"]["cmds_applied"]')" 2 "lcore cmds_applied (install + remove)"

it_check "SIGTERM stops it with status 0 and unlinks the region"
it_dp_stop
it_expect_eq "$IT_DP_RC" 0 "exit status after SIGTERM"
[[ ! -e "/dev/shm/${IT_SHM#/}" ]] || it_fail "region /dev/shm/${IT_SHM#/} still exists after exit"
it_note "ok: /dev/shm/${IT_SHM#/} is gone"
grep -q 'stopping' "$RG_LOG_DIR/dataplane.log" && it_note "log: $(grep stopping "$RG_LOG_DIR/dataplane.log")"

# run_dp OUT ARGS...: a foreground data plane run (bounded), exit status in DP_RC.
run_dp() {
    local out=$1
    shift
    DP_RC=0
    timeout 20 taskset -c "$IT_DP_CORE" "$IT_DP_BIN" -l "$IT_DP_CORE" --no-huge -m 64 --no-shconf --no-pci \
        --no-telemetry --file-prefix "$IT_FP" --vdev=net_ring0 "$@" > "$out" 2>&1 || DP_RC=$?
    sed 's/^/   | /' "$out"
}

it_check "a config with an unknown key: non-zero exit, one clear line naming the key and the line number"
sed '3i bogus_key = 42' "$IT_T/dp.conf" > "$IT_T/bad.conf"
run_dp "$IT_T/bad.out" -- --config "$IT_T/bad.conf"
it_expect_eq "$DP_RC" 1 "exit status"
it_expect_eq "$(grep -c 'bogus_key' "$IT_T/bad.out" || true)" 1 "lines naming bogus_key"
line=$(grep 'bogus_key' "$IT_T/bad.out")
[[ "$line" == *"line 3"* ]] || it_fail "the error line does not name line 3: '$line'"
[[ "$line" == *"unknown key"* ]] || it_fail "the error line does not say 'unknown key': '$line'"
it_note "ok: '$line'"
[[ ! -e "/dev/shm/${IT_SHM#/}" ]] || it_fail "a failed start left /dev/shm/${IT_SHM#/} behind"

it_check "no --config: usage on stderr, exit status 2"
run_dp "$IT_T/noconf.out" --
it_expect_eq "$DP_RC" 2 "exit status"
grep -q -- '^usage: .*--config FILE' "$IT_T/noconf.out" || it_fail "no usage line printed"
grep -q -- 'missing --config' "$IT_T/noconf.out" || it_fail "no 'missing --config' message"
it_note "ok: usage printed"
