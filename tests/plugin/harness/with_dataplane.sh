#!/usr/bin/env bash
# Runs the plugin API tests with a real rtpgate-dataplane behind the plugin: a net_null
# port serving 10.99.0.1 (nothing leaves the box), so that calls get relay ports and flows.
# usage: with_dataplane.sh DATAPLANE RTPGATECTL TEST_BINARY [gtest args...]
set -euo pipefail
dp=$1 ctl=$2 bin=$3
shift 3
shm=/rtpgate-harness-dp-$$
work=$(mktemp -d /tmp/rtpgate-harness.XXXXXX)
dp_pid=""
cleanup() {
  [[ -n "$dp_pid" ]] && kill "$dp_pid" 2>/dev/null && wait "$dp_pid" 2>/dev/null || true
  rm -rf "$work" "/var/run/dpdk/rg-harness-$$"
  rm -f "/dev/shm${shm}"
}
trap cleanup EXIT
cat > "$work/dp.conf" <<CONF
shm_name = $shm
port = 0 addr=10.99.0.1/24 gw=10.99.0.254
neighbour = 10.99.0.254 02:00:00:00:00:fe
port_min = 20000
port_max = 20999
flow_capacity = 1024
mbufs = 2047
idle_mode = adaptive
CONF
core=$(( $(nproc) - 1 ))
"$dp" -l "$core" --no-huge -m 256 --no-shconf --no-pci --file-prefix "rg-harness-$$" --vdev=net_null0 \
  -- --config "$work/dp.conf" > "$work/dp.log" 2>&1 &
dp_pid=$!
if ! "$ctl" --shm "$shm" wait-ready --seconds 20 >/dev/null; then
  echo "with_dataplane: the data plane did not come up:" >&2
  cat "$work/dp.log" >&2
  exit 1
fi
export RTPGATE_HARNESS_MEDIA_IP=10.99.0.1
export RTPGATE_HARNESS_GENERAL="rtpgate_shm=\"$shm\""
rc=0
"$bin" "$@" || rc=$?
flows=$("$ctl" --shm "$shm" --json info | sed -n 's/.*"flows_allocated":\([0-9]*\).*/\1/p')
echo "with_dataplane: flows still allocated after the tests: ${flows:-?}"
if [[ "$rc" == 0 && "${flows:-x}" != 0 ]]; then
  echo "with_dataplane: the plugin leaked flow slots" >&2
  rc=1
fi
exit "$rc"
