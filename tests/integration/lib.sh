# shellcheck shell=bash
# Helpers for integration test scripts (exit 77 = skipped for meson). Source it.

# it_skip MSG: report a skip and exit 77.
it_skip() {
    printf 'SKIP: %s\n' "$*"
    exit 77
}

# it_fail MSG: report a failure and exit 1.
it_fail() {
    printf 'FAIL: %s\n' "$*" >&2
    exit 1
}

# it_need_root: skip unless running as root.
it_need_root() {
    [[ ${EUID:-$(id -u)} -eq 0 ]] || it_skip "needs root"
}

# it_need_netns: skip unless network namespaces can be created here.
it_need_netns() {
    command -v ip >/dev/null 2>&1 || it_skip "iproute2 (ip) not installed"
    local ns="rgit_probe_$$"
    ip netns add "$ns" >/dev/null 2>&1 || it_skip "cannot create network namespaces (ip netns add failed)"
    ip netns del "$ns" >/dev/null 2>&1 || true
}

# it_json_get FILE KEY: print KEY of the JSON object in FILE (last line if it holds several);
# dotted keys walk nested objects/lists ("a.b", "ssrcs.0"). Lists and objects print as JSON,
# booleans as true/false, null as null. Fails if the key is missing.
it_json_get() {
    local file=$1 key=$2 py
    py=/usr/bin/python3
    [[ -x "$py" ]] || py=python3
    "$py" -c '
import json, sys
lines = [l for l in open(sys.argv[1]) if l.strip()]
if not lines:
    sys.exit("it_json_get: %s is empty" % sys.argv[1])
v = json.loads(lines[-1])
for part in sys.argv[2].split("."):
    try:
        v = v[int(part)] if isinstance(v, list) else v[part]
    except (KeyError, IndexError, ValueError):
        sys.exit("it_json_get: no key %r in %s" % (sys.argv[2], sys.argv[1]))
print(json.dumps(v) if isinstance(v, (dict, list, bool)) or v is None else v)
' "$file" "$key"
}

# it_expect_eq ACTUAL EXPECTED MSG: fail unless the two strings are equal.
it_expect_eq() {
    if [[ "$1" != "$2" ]]; then
        it_fail "$3: expected '$2', got '$1'"
    fi
    printf 'ok: %s (%s)\n' "$3" "$1"
}
