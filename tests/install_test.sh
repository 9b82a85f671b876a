#!/usr/bin/env bash
# meson install into a temporary DESTDIR gives the tree docs/operations.md describes, and the
# systemd units pass systemd-analyze verify (against that tree) where systemd is installed.
# usage: install_test.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: install_test.sh BUILD_DIR}
dest=$(mktemp -d /tmp/rtpgate-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >/dev/null
prefix=$(meson introspect "$build" --buildoptions | python3 -c '
import json, sys
o = {x["name"]: x["value"] for x in json.load(sys.stdin)}
print(o["prefix"], o["bindir"], o["libdir"], o["sysconfdir"], o["libexecdir"], o["datadir"])')
read -r pfx bindir libdir sysconfdir libexecdir datadir <<< "$prefix"
abs() { [[ "$1" == /* ]] && echo "$1" || echo "$pfx/$1"; }
missing=0
for f in "$(abs "$bindir")/rtpgate-dataplane" "$(abs "$bindir")/rtpgatectl" "$(abs "$bindir")/rtpgate-exporter" \
         "$(abs "$libdir")/janus/plugins/libjanus_rtpgate.so" \
         "$(abs "$sysconfdir")/rtpgate/rtpgate-dataplane.conf" "$(abs "$sysconfdir")/rtpgate/janus.plugin.sip.jcfg" \
         "$pfx/lib/systemd/system/rtpgate-dataplane.service" "$pfx/lib/systemd/system/rtpgate-exporter.service" \
         "$pfx/lib/systemd/system/janus.service.d/rtpgate.conf" "$(abs "$libexecdir")/rtpgate/rtpgate-hugepages" \
         "$(abs "$datadir")/doc/rtpgate/operations.md"; do
    if [[ -e "$dest$f" ]]; then echo "ok: $f"; else echo "MISSING: $f"; missing=1; fi
done
for x in "$(abs "$bindir")/rtpgate-dataplane" "$(abs "$libexecdir")/rtpgate/rtpgate-hugepages"; do
    [[ -x "$dest$x" ]] || { echo "not executable: $x"; missing=1; }
done
(( missing == 0 )) || { echo "FAIL: the installed tree is incomplete"; find "$dest" -type f | sed "s|$dest||" | sort; exit 1; }
# The units name the installed paths.
grep -q "ExecStart=$(abs "$bindir")/rtpgate-dataplane " "$dest$pfx/lib/systemd/system/rtpgate-dataplane.service" \
    || { echo "FAIL: rtpgate-dataplane.service does not start $(abs "$bindir")/rtpgate-dataplane"; exit 1; }
if command -v systemd-analyze >/dev/null 2>&1; then
    # Verified as installed, with the prefix pointing into DESTDIR so the commands exist.
    units=$dest/verify
    mkdir -p "$units"
    for u in rtpgate-dataplane.service rtpgate-exporter.service; do
        sed "s|$pfx/|$dest$pfx/|g" "$dest$pfx/lib/systemd/system/$u" > "$units/$u"
    done
    out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify "$units/rtpgate-dataplane.service" \
        "$units/rtpgate-exporter.service" 2>&1) || { echo "FAIL: systemd-analyze verify: $out"; exit 1; }
    # janus.service is only named (Before=), not installed here; anything else is a finding.
    bad=$(printf '%s\n' "$out" | grep -v -E '^$|janus\.service' || true)
    [[ -z "$bad" ]] || { echo "FAIL: systemd-analyze verify: $bad"; exit 1; }
    echo "ok: systemd-analyze verify rtpgate-dataplane.service rtpgate-exporter.service"
else
    echo "systemd-analyze not installed: units not verified"
fi
echo "PASS: meson install into $dest"
