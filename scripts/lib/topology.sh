# shellcheck shell=bash
# Lab topology for the demo and integration tests: two peer namespaces joined to the
# root namespace by veth pairs (DPDK net_af_packet side), hugepages, background processes.
# Source it; it sets no shell options and every function is `set -eu` safe.
#
#   root ns                          ${P}a                     ${P}b
#   ${P}-dp0 (no IP, DPDK) <-veth-> eth0 10.77.1.2/24
#   ${P}-dp1 (no IP, DPDK) <-veth----------------------------> eth0 10.77.2.2/24
#   relay media addresses: 10.77.1.1 (facing a), 10.77.2.1 (facing b)

if [[ -n "${RG_TOPOLOGY_SH_LOADED:-}" ]]; then
    # shellcheck disable=SC2317
    return 0 2>/dev/null || exit 0
fi
RG_TOPOLOGY_SH_LOADED=1

RG_BG_PIDS=()            # PIDs started by rg_start_bg
RG_BG_NAMES=()           # names, same order
RG_TOPO_PREFIXES=()      # prefixes brought up by topo_up (torn down by the cleanup trap)
RG_HP_ACTIVE=0           # hugepages_up has changed something
RG_HP_PREV_NR=""         # nr_hugepages (2 MB) before hugepages_up
RG_HP_MOUNTED=0          # we mounted hugetlbfs ourselves
RG_HP_MKDIR=0            # we created the mount point ourselves
RG_HUGE_DIR=""           # hugetlbfs mount in use (pass as --huge-dir)
RG_CLEANUP_DONE=0

readonly RG_HP_SYSFS=/sys/kernel/mm/hugepages/hugepages-2048kB
readonly RG_HP_OWN_DIR=/dev/hugepages-rtpgate

_topo_log() { printf '[topo] %s\n' "$*" >&2; }
_topo_err() { printf '[topo] ERROR: %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# Topology
# ---------------------------------------------------------------------------

_topo_check_prefix() {
    local p=$1
    if [[ ! "$p" =~ ^[A-Za-z0-9_]+$ ]]; then
        _topo_err "prefix '$p' must match [A-Za-z0-9_]+"
        return 1
    fi
    if (( ${#p} + 4 > 15 )); then   # "${p}-dp0" must fit IFNAMSIZ-1
        _topo_err "prefix '$p' too long (max 11 chars, veth names are <= 15)"
        return 1
    fi
}

# _topo_run DESCRIPTION CMD...: run, log and return failure with a message.
_topo_run() {
    local what=$1
    shift
    local out
    if ! out=$("$@" 2>&1); then
        _topo_err "$what failed: $* :: ${out}"
        return 1
    fi
}

_topo_no_offload() {   # [ip netns exec NS] ethtool -K DEV ...
    command -v ethtool >/dev/null 2>&1 || return 0
    "$@" tx off rx off >/dev/null 2>&1 || _topo_log "warning: could not disable tx/rx checksum offload: $*"
    "$@" tso off gso off gro off >/dev/null 2>&1 || true
}

# _topo_peer_up PREFIX SIDE(a|b) INDEX(0|1) PEER_IP RELAY_IP
# With TOPO_DYNAMIC=1 the peer gets no static neighbour entry (it resolves the relay by
# ARP/ND, answered by the data plane) and IPv6 too: fd77:<idx+1>::2/64, relay ::1.
_topo_peer_up() {
    local p=$1 side=$2 idx=$3 peer_ip=$4 relay_ip=$5 dynamic=${TOPO_DYNAMIC:-0}
    local ns="${p}${side}" dp="${p}-dp${idx}"
    local dp_mac

    _topo_run "netns add $ns" ip netns add "$ns" || return 1
    _topo_run "veth $dp<->$ns/eth0" ip link add "$dp" type veth peer name eth0 netns "$ns" || return 1

    # DPDK side: no IP, no ARP, no IPv6 chatter, promiscuous, checksums computed in software.
    # The root namespace's kernel still sees every frame of this veth: strict reverse-path
    # filtering keeps it from answering IPv4 for the media addresses itself (they live on
    # the data plane's TAP, so the reverse path never points at this veth).
    sysctl -qw "net.ipv6.conf.${dp}.disable_ipv6=1" >/dev/null 2>&1 || true
    sysctl -qw "net.ipv4.conf.${dp}.rp_filter=1" >/dev/null 2>&1 || true
    _topo_run "configure $dp" ip link set dev "$dp" mtu 1500 arp off promisc on up || return 1
    _topo_no_offload ethtool -K "$dp"
    dp_mac=$(<"/sys/class/net/${dp}/address") || return 1

    # Peer side.
    local v6off=1
    (( dynamic )) && v6off=0
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=$v6off >/dev/null 2>&1 || true
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=$v6off >/dev/null 2>&1 || true
    _topo_run "lo up in $ns" ip -n "$ns" link set dev lo up || return 1
    _topo_run "eth0 up in $ns" ip -n "$ns" link set dev eth0 mtu 1500 up || return 1
    _topo_run "addr in $ns" ip -n "$ns" addr add "${peer_ip}/24" dev eth0 || return 1
    _topo_no_offload ip netns exec "$ns" ethtool -K eth0
    if (( dynamic )); then
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0 >/dev/null 2>&1 || true
        _topo_run "addr6 in $ns" ip -n "$ns" addr add "fd77:$(( idx + 1 ))::2/64" dev eth0 nodad || return 1
        _topo_run "route6 in $ns" ip -n "$ns" -6 route replace default via "fd77:$(( idx + 1 ))::1" dev eth0 || return 1
    else
        _topo_run "neigh in $ns" ip -n "$ns" neigh replace "$relay_ip" lladdr "$dp_mac" dev eth0 nud permanent || return 1
    fi
    _topo_run "route in $ns" ip -n "$ns" route replace default via "$relay_ip" dev eth0 || return 1
}

# topo_up [PREFIX=rg]: build the topology and export TOPO_* variables. Replaces leftovers.
topo_up() {
    local p=${1:-rg}
    _topo_check_prefix "$p" || return 1
    if [[ $EUID -ne 0 ]]; then
        _topo_err "topo_up needs root"
        return 1
    fi
    topo_down "$p" >/dev/null 2>&1

    _topo_log "up: namespaces ${p}a ${p}b, veths ${p}-dp0 ${p}-dp1"
    if ! _topo_peer_up "$p" a 0 10.77.1.2 10.77.1.1 || ! _topo_peer_up "$p" b 1 10.77.2.2 10.77.2.1; then
        topo_down "$p"
        return 1
    fi
    # Remember for the cleanup trap (once).
    local q known=0
    for q in ${RG_TOPO_PREFIXES[@]+"${RG_TOPO_PREFIXES[@]}"}; do
        [[ "$q" == "$p" ]] && known=1
    done
    (( known )) || RG_TOPO_PREFIXES+=("$p")

    export TOPO_PREFIX="$p"
    export TOPO_NS_A="${p}a" TOPO_NS_B="${p}b"
    export TOPO_DP0="${p}-dp0" TOPO_DP1="${p}-dp1"
    export TOPO_A_IP=10.77.1.2 TOPO_B_IP=10.77.2.2
    export TOPO_RELAY_A=10.77.1.1 TOPO_RELAY_B=10.77.2.1
    export TOPO_A_IP6=fd77:1::2 TOPO_B_IP6=fd77:2::2 TOPO_RELAY_A6=fd77:1::1 TOPO_RELAY_B6=fd77:2::1
    TOPO_DP0_MAC=$(<"/sys/class/net/${TOPO_DP0}/address")
    TOPO_DP1_MAC=$(<"/sys/class/net/${TOPO_DP1}/address")
    TOPO_A_MAC=$(ip netns exec "$TOPO_NS_A" cat /sys/class/net/eth0/address)
    TOPO_B_MAC=$(ip netns exec "$TOPO_NS_B" cat /sys/class/net/eth0/address)
    export TOPO_DP0_MAC TOPO_DP1_MAC TOPO_A_MAC TOPO_B_MAC
    _topo_log "a: ${TOPO_NS_A}/eth0 ${TOPO_A_IP} ${TOPO_A_MAC} <-> ${TOPO_DP0} ${TOPO_DP0_MAC} (relay ${TOPO_RELAY_A})"
    _topo_log "b: ${TOPO_NS_B}/eth0 ${TOPO_B_IP} ${TOPO_B_MAC} <-> ${TOPO_DP1} ${TOPO_DP1_MAC} (relay ${TOPO_RELAY_B})"
}

# _topo_kill_ns_pids NS: stop processes still living in a lab namespace (they would keep it alive).
_topo_kill_ns_pids() {
    local ns=$1 pids i
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    [[ -z "${pids// /}" ]] && return 0
    _topo_log "stopping leftover processes in $ns: $pids"
    # shellcheck disable=SC2086
    kill -TERM $pids 2>/dev/null || true
    for (( i = 0; i < 30; i++ )); do
        pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
        [[ -z "${pids// /}" ]] && return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
}

# topo_plain_up PREFIX NS DEV ROOT_IP/LEN PEER_IP/LEN: a plain kernel veth, DEV in the root
# namespace <-> NS/eth0, IPv4 only (no DPDK), for runs against the stock Janus plugin.
# Removed by topo_down PREFIX (and the cleanup trap). Fails unless NS reaches ROOT_IP in 3 s.
topo_plain_up() {
    local p=$1 ns=$2 dev=$3 root_cidr=$4 peer_cidr=$5 i
    topo_down "$p" >/dev/null 2>&1
    RG_TOPO_PREFIXES+=("$p")
    _topo_run "netns add $ns" ip netns add "$ns" || return 1
    _topo_run "veth $dev<->$ns/eth0" ip link add "$dev" type veth peer name eth0 netns "$ns" || return 1
    sysctl -qw "net.ipv6.conf.${dev}.disable_ipv6=1" >/dev/null 2>&1 || true
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 >/dev/null 2>&1 || true
    _topo_run "addr $root_cidr on $dev" ip addr add "$root_cidr" dev "$dev" || return 1
    _topo_run "link $dev up" ip link set dev "$dev" up || return 1
    _topo_run "lo up in $ns" ip -n "$ns" link set dev lo up || return 1
    _topo_run "addr $peer_cidr in $ns" ip -n "$ns" addr add "$peer_cidr" dev eth0 || return 1
    _topo_run "eth0 up in $ns" ip -n "$ns" link set dev eth0 up || return 1
    for (( i = 0; i < 30; i++ )); do
        ip netns exec "$ns" ping -c 1 -W 1 "${root_cidr%/*}" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    _topo_err "veth $dev <-> $ns/eth0 does not pass traffic"
    return 1
}

# topo_down [PREFIX=rg]: remove veths and namespaces. Idempotent, never fails.
# Root-side veths go first: deleting a namespace frees its devices asynchronously.
topo_down() {
    local p=${1:-rg} ns dev removed="" i
    [[ "$p" =~ ^[A-Za-z0-9_]+$ ]] || return 0
    for dev in "${p}-dp0" "${p}-dp1"; do
        if [[ -e "/sys/class/net/${dev}" ]]; then
            ip link del dev "$dev" >/dev/null 2>&1 || true
            removed+=" $dev"
        fi
    done
    for ns in "${p}a" "${p}b"; do
        if [[ -e "/run/netns/${ns}" ]]; then
            _topo_kill_ns_pids "$ns"
            ip netns del "$ns" >/dev/null 2>&1 || true
            removed+=" $ns"
        fi
    done
    for (( i = 0; i < 20; i++ )); do
        [[ -e "/sys/class/net/${p}-dp0" || -e "/sys/class/net/${p}-dp1" ]] || break
        sleep 0.1
    done
    [[ -n "$removed" ]] && _topo_log "down:${removed}"
    return 0
}

# ---------------------------------------------------------------------------
# Hugepages (2 MB)
# ---------------------------------------------------------------------------

_hp_read() { local v; v=$(cat "${RG_HP_SYSFS}/$1" 2>/dev/null) || v=0; printf '%s' "${v:-0}"; }

# _hp_is_mounted DIR: succeed if DIR is a hugetlbfs mount point.
_hp_is_mounted() { awk -v d="$1" '$2 == d && $3 == "hugetlbfs" { f = 1 } END { exit !f }' /proc/mounts; }

# hugepages_available [N=1]: succeed if N free 2 MB hugepages exist or can be reserved now.
hugepages_available() {
    local n=${1:-1} nr free got
    [[ -d "$RG_HP_SYSFS" ]] || return 1
    grep -qw hugetlbfs /proc/filesystems 2>/dev/null || return 1
    free=$(_hp_read free_hugepages)
    (( free >= n )) && return 0
    [[ $EUID -eq 0 && -w "${RG_HP_SYSFS}/nr_hugepages" ]] || return 1
    nr=$(_hp_read nr_hugepages)
    { echo $(( nr + n - free )) > "${RG_HP_SYSFS}/nr_hugepages"; } 2>/dev/null || return 1
    got=$(_hp_read free_hugepages)
    { echo "$nr" > "${RG_HP_SYSFS}/nr_hugepages"; } 2>/dev/null || true
    (( got >= n ))
}

# hugepages_up N: make N free 2 MB pages available and a hugetlbfs mount; sets RG_HUGE_DIR.
hugepages_up() {
    local n=${1:?hugepages_up N} nr free want
    if [[ ! "$n" =~ ^[0-9]+$ ]]; then
        _topo_err "hugepages_up: N must be a number"
        return 1
    fi
    [[ -d "$RG_HP_SYSFS" ]] || { _topo_err "no 2 MB hugepage support"; return 1; }
    nr=$(_hp_read nr_hugepages)
    free=$(_hp_read free_hugepages)
    if (( RG_HP_ACTIVE == 0 )); then
        RG_HP_PREV_NR=$nr
        RG_HP_ACTIVE=1
    fi
    if (( free < n )); then
        want=$(( nr + n - free ))
        if ! { echo "$want" > "${RG_HP_SYSFS}/nr_hugepages"; } 2>/dev/null; then
            _topo_err "cannot write ${RG_HP_SYSFS}/nr_hugepages"
            hugepages_down
            return 1
        fi
        free=$(_hp_read free_hugepages)
        if (( free < n )); then
            _topo_err "asked for $n free hugepages, kernel gave $free"
            hugepages_down
            return 1
        fi
        _topo_log "hugepages: nr_hugepages ${nr} -> ${want} (${free} free)"
    else
        _topo_log "hugepages: ${free} free already (nr_hugepages ${nr})"
    fi

    if [[ -n "$RG_HUGE_DIR" ]] && _hp_is_mounted "$RG_HUGE_DIR"; then
        :
    elif _hp_is_mounted /dev/hugepages; then
        RG_HUGE_DIR=/dev/hugepages
    elif _hp_is_mounted "$RG_HP_OWN_DIR"; then
        RG_HUGE_DIR=$RG_HP_OWN_DIR   # leftover from an earlier run: reuse, leave it mounted
    else
        if [[ ! -d "$RG_HP_OWN_DIR" ]]; then
            mkdir -p "$RG_HP_OWN_DIR" || { _topo_err "mkdir $RG_HP_OWN_DIR"; hugepages_down; return 1; }
            RG_HP_MKDIR=1
        fi
        if ! mount -t hugetlbfs -o pagesize=2M nodev "$RG_HP_OWN_DIR" 2>/dev/null; then
            _topo_err "mount hugetlbfs on $RG_HP_OWN_DIR failed"
            hugepages_down
            return 1
        fi
        RG_HP_MOUNTED=1
        RG_HUGE_DIR=$RG_HP_OWN_DIR
        _topo_log "hugepages: mounted hugetlbfs at $RG_HUGE_DIR"
    fi
    export RG_HUGE_DIR
}

# hugepages_down: undo exactly what hugepages_up did. Idempotent, never fails.
hugepages_down() {
    if (( RG_HP_MOUNTED )); then
        umount "$RG_HP_OWN_DIR" 2>/dev/null || umount -l "$RG_HP_OWN_DIR" 2>/dev/null || true
        _topo_log "hugepages: unmounted $RG_HP_OWN_DIR"
        RG_HP_MOUNTED=0
    fi
    if (( RG_HP_MKDIR )); then
        rmdir "$RG_HP_OWN_DIR" 2>/dev/null || true
        RG_HP_MKDIR=0
    fi
    if (( RG_HP_ACTIVE )); then
        if [[ "$(_hp_read nr_hugepages)" != "$RG_HP_PREV_NR" ]]; then
            { echo "$RG_HP_PREV_NR" > "${RG_HP_SYSFS}/nr_hugepages"; } 2>/dev/null || true
            _topo_log "hugepages: nr_hugepages restored to ${RG_HP_PREV_NR} (now $(_hp_read nr_hugepages))"
        fi
        RG_HP_ACTIVE=0
        RG_HP_PREV_NR=""
    fi
    RG_HUGE_DIR=""
    return 0
}

# ---------------------------------------------------------------------------
# Background processes
# ---------------------------------------------------------------------------

_rg_alive() {   # alive and not a zombie
    local pid=$1 st
    kill -0 "$pid" 2>/dev/null || return 1
    st=$(awk '{ print $3 }' "/proc/${pid}/stat" 2>/dev/null) || return 1
    [[ "$st" != "Z" ]]
}

# rg_start_bg NAME CMD...: start CMD in the background, record its PID (in RG_LAST_PID too).
# CMD must be an external command (not a shell function) so that $! is the process itself;
# `ip netns exec NS cmd` execs cmd, so its PID is cmd's. stdout/stderr go to
# $RG_LOG_DIR/NAME.log when RG_LOG_DIR is set, else they are inherited.
rg_start_bg() {
    local name=${1:?rg_start_bg NAME CMD...}
    shift
    (( $# > 0 )) || { _topo_err "rg_start_bg $name: no command"; return 1; }
    if [[ -n "${RG_LOG_DIR:-}" ]]; then
        mkdir -p "$RG_LOG_DIR"
        "$@" >"${RG_LOG_DIR}/${name}.log" 2>&1 &
    else
        "$@" &
    fi
    RG_LAST_PID=$!
    RG_BG_PIDS+=("$RG_LAST_PID")
    RG_BG_NAMES+=("$name")
    _topo_log "started $name (pid $RG_LAST_PID)"
}

# rg_pid NAME: print the PID recorded for NAME (last one started).
rg_pid() {
    local i
    for (( i = ${#RG_BG_PIDS[@]} - 1; i >= 0; i-- )); do
        if [[ "${RG_BG_NAMES[i]}" == "$1" ]]; then
            printf '%s\n' "${RG_BG_PIDS[i]}"
            return 0
        fi
    done
    return 1
}

# _rg_stop_pids PID...: SIGTERM, wait up to 3 s, then SIGKILL; reap our children.
_rg_stop_pids() {
    local pid i left
    for pid in "$@"; do
        _rg_alive "$pid" && kill -TERM "$pid" 2>/dev/null
    done
    for (( i = 0; i < 30; i++ )); do
        left=0
        for pid in "$@"; do
            _rg_alive "$pid" && left=1
        done
        (( left )) || break
        sleep 0.1
    done
    for pid in "$@"; do
        if _rg_alive "$pid"; then
            _topo_log "pid $pid ignored SIGTERM for 3 s: SIGKILL"
            kill -KILL "$pid" 2>/dev/null
        fi
    done
    for pid in "$@"; do
        wait "$pid" 2>/dev/null || true
    done
    return 0
}

# rg_stop NAME: stop the processes recorded under NAME and forget them. Never fails.
rg_stop() {
    local i pids=() keep_p=() keep_n=()
    for (( i = 0; i < ${#RG_BG_PIDS[@]}; i++ )); do
        if [[ "${RG_BG_NAMES[i]}" == "$1" ]]; then
            pids+=("${RG_BG_PIDS[i]}")
        else
            keep_p+=("${RG_BG_PIDS[i]}")
            keep_n+=("${RG_BG_NAMES[i]}")
        fi
    done
    (( ${#pids[@]} )) && _rg_stop_pids "${pids[@]}"
    RG_BG_PIDS=(${keep_p[@]+"${keep_p[@]}"})
    RG_BG_NAMES=(${keep_n[@]+"${keep_n[@]}"})
    return 0
}

# rg_stop_all: stop every recorded process (SIGTERM, SIGKILL after 3 s). Never fails.
rg_stop_all() {
    if (( ${#RG_BG_PIDS[@]} )); then
        _topo_log "stopping ${RG_BG_NAMES[*]}"
        _rg_stop_pids "${RG_BG_PIDS[@]}"
    fi
    RG_BG_PIDS=()
    RG_BG_NAMES=()
    return 0
}

# rg_cleanup: stop processes, tear down every topology brought up, release hugepages. Runs once.
rg_cleanup() {
    (( RG_CLEANUP_DONE )) && return 0
    RG_CLEANUP_DONE=1
    local p
    rg_stop_all
    for p in ${RG_TOPO_PREFIXES[@]+"${RG_TOPO_PREFIXES[@]}"}; do
        topo_down "$p"
    done
    RG_TOPO_PREFIXES=()
    hugepages_down
    return 0
}

_rg_on_exit() {
    local rc=$?
    set +e
    rg_cleanup
    exit "$rc"
}

_rg_on_signal() {
    trap - INT TERM
    set +e
    rg_cleanup
    exit $(( 128 + $1 ))
}

# rg_cleanup_trap: on EXIT, INT and TERM run rg_stop_all, topo_down (every prefix topo_up
# built) and hugepages_down. The script's exit status is kept; a signal exits 128+signo.
rg_cleanup_trap() {
    RG_CLEANUP_DONE=0
    trap _rg_on_exit EXIT
    trap '_rg_on_signal 2' INT
    trap '_rg_on_signal 15' TERM
}
