#!/usr/bin/env bash
# Integration with hugepages (suite "integration", skipped where 2 MB pages cannot be
# reserved): the data plane starts without --no-huge on 2 MB pages this test reserves, in
# single-process --in-memory mode (no hugepage files left behind), sizes 100,000 flows
# there, programs and removes flows, stops on SIGTERM and gives every page back. The test
# returns nr_hugepages and the mount to what they were.
set -euo pipefail
# shellcheck source=dp_lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/dp_lib.sh"

it_need_root
it_need_binaries
hugepages_available 256 || it_skip "cannot reserve 256 hugepages of 2 MB here"
it_setup huge
hugepages_up 256 >/dev/null 2>&1 || it_fail "hugepages_up 256 failed"
free_pages() { awk '/^HugePages_Free:/ {print $2}' /proc/meminfo; }
RELAY=10.98.0.1
cat > "$IT_T/dp.conf" <<CONF
shm_name = $IT_SHM
port = 0 addr=$RELAY/16
port_min = 20000
port_max = 59999
flow_capacity = 100000
mbufs = 8191
idle_mode = adaptive
neighbour = 10.98.0.2 02:00:00:00:00:02
CONF
free0=$(free_pages)

it_check "starts on hugepages (no --no-huge) with 100,000 flow slots"
rg_start_bg dataplane taskset -c "$IT_DP_CORE" "$IT_DP_BIN" -l "$IT_DP_CORE" --in-memory -m 400 \
    --no-pci --no-telemetry --vdev=net_ring0 -- --config "$IT_T/dp.conf"
IT_DP_PID=$RG_LAST_PID
ctl wait-ready --seconds 20 >/dev/null || it_fail "data plane did not become ready on hugepages"
used=$(( free0 - $(free_pages) ))
it_expect_true "$( (( used > 0 )) && echo true || echo false)" "the data plane holds hugepages ($used of 2 MB)"
it_expect_eq "$(it_py <(ctl --json info) 'j["flow_capacity"]')" 100000 "flow capacity"

it_check "flows install and remove"
ids=()
for port in 20000 20002 20004 20006 20008; do
    ids+=("$(it_add --local "$RELAY:$port" --to "10.98.0.2:$(( port + 10000 ))" --rewrite)")
done
it_expect_eq "$(it_py <(ctl --json info) 'j["flows_allocated"]')" 5 "5 flows allocated"
for id in "${ids[@]}"; do ctl del "$id" || it_fail "del $id"; done
it_expect_eq "$(it_py <(ctl --json stats) 'j["total"]["cmds_applied"]')" 10 "10 commands applied"

it_check "SIGTERM: exit 0, region unlinked, pages given back"
it_dp_stop
it_expect_eq "$IT_DP_RC" 0 "exit status after SIGTERM"
[[ ! -e "/dev/shm/${IT_SHM#/}" ]] || it_fail "region still exists after exit"
it_expect_eq "$(free_pages)" "$free0" "free hugepages back to $free0"
echo "PASS"
