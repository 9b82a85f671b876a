#!/usr/bin/python3
"""SIP scenario suite of plugin part 1, run against one Janus (stock libjanus_sip.so or
libjanus_rtpgate.so) in one go; tests/e2e/sip_scenarios.sh sets up the lab and runs it for
both plugins, then prints the comparison table (--table).

An aiortc peer plays the browser; sipp peers in namespace NS play the SIP side (this script
starts them, one per scenario step, with `ip netns exec`). Each scenario asserts the exact
sequence of plugin events of spec/janus-sip-api.md §4-§6 (with 1.1.2 defaults), their key
fields (code/reason, jsep presence and type, call_id), the SIP outcome at sipp (its exit
status: every sipp scenario fails on an unexpected message), and the 1 kHz tone where media
flows. A failed scenario is cleaned up (hangup, sipp stopped) and the next one runs.

    sip_scenarios.py --janus URL --admin URL --ice-ip IP --ns e2a --sip-ip 10.77.5.2 \\
        --sipp-dir DIR --json-out stock.json --plugin-label stock
    sip_scenarios.py --table stock.json rtpgate.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from e2e_check import CheckFailed, check, now, say  # noqa: E402
from first_call import restrict_ice_to, sdp_audio_summary  # noqa: E402
from janus_client import Event, JanusError, JanusHandle, JanusSession, http_request  # noqa: E402
from scenario_report import print_table  # noqa: E402
from sipp_peer import Sipp  # noqa: E402
from webrtc_peer import Peer  # noqa: E402

PLUGIN = "janus.plugin.sip"

# Ports in the SIP peers' namespace (sipp always binds its -mp media port, and -mp + 2).
REGISTRAR_PORT, REGISTRAR_MP = 5060, 6900
UAS_PORT, UAS_MP = 5070, 6000
UAC_PORT, UAC_MP = 5080, 6100
UAC2_PORT, UAC2_MP = 5090, 6200

# Scenarios where the stock plugin is known to deviate from the spec (stock bugs): reported,
# not failures, in --plugin-label stock runs. Filled from observed runs: {id: "why"}.
STOCK_KNOWN: dict[int, str] = {}


@dataclass
class Lab:
    janus: str
    admin: str
    admin_secret: str
    ice_ip: str
    ns: str
    sip_ip: str
    sipp_dir: str
    janus_log: str | None
    secret: str = "secret"


def ev_brief(ev: Event) -> str:
    """Compact description used in reports and stock/rtpgate comparisons."""
    if "error_code" in ev.data:
        return f"error({ev.data['error_code']} {ev.data.get('error')})"
    r = ev.result
    parts = []
    if "code" in r:
        parts.append(f"{r['code']} {r.get('reason', '')}".strip())
    s = ev.name + (f"({', '.join(parts)})" if parts else "")
    if ev.jsep:
        s += f"+jsep:{ev.jsep.get('type')}"
    return s


def stock_order(got: list[str]) -> list[str]:
    """1.1.2 answers requests on one thread and reports SIP on another (one per account), so
    the SIP event a request causes can overtake the request's own result: the `hangup` of our
    BYE before `hangingup`, the 200 to an unsubscribe before `unsubscribing`. Put such pairs
    back in request order (stock runs only: ours answers in order)."""
    out = list(got)
    for i in range(len(out) - 1):
        if ((out[i].startswith("hangup(") and out[i + 1] == "hangingup")
                or (out[i].startswith("subscribe_succeeded(200") and out[i + 1] == "unsubscribing")):
            out[i], out[i + 1] = out[i + 1], out[i]
    return out


def ev_shape(ev: Event) -> str:
    """Which fields an event carries (values left out: ids and ports differ between runs)."""
    top = sorted(k for k in ev.data if k not in ("sip", "result"))
    res = sorted(k for k in ev.result if k != "event")
    s = f"{ev.name} result{{{','.join(res)}}}"
    if top:
        s += f" top{{{','.join(top)}}}"
    if ev.jsep:
        s += f" jsep:{ev.jsep.get('type')}"
    return s


@dataclass
class Result:
    id: int
    name: str
    status: str = "not run"   # PASS, FAIL, KNOWN (stock bug, known), SKIP
    error: str = ""
    time_s: float = 0.0
    events: dict[str, list[str]] = field(default_factory=dict)
    shapes: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    sip: dict[str, list[str]] = field(default_factory=dict)
    sip_flow: dict[str, str] = field(default_factory=dict)
    plugin_log: list[str] = field(default_factory=list)


class Suite:
    def __init__(self, lab: Lab, args: argparse.Namespace):
        self.lab, self.args = lab, args
        self.session: JanusSession | None = None
        self.master: JanusHandle | None = None
        self.helper: JanusHandle | None = None
        self.contact: str | None = None       # the master's registered Contact URI
        self.master_id: int | None = None
        self.registered = False
        self.sipps: list[Sipp] = []
        self.peers: list[Peer] = []
        self.marks: dict[int, int] = {}
        self.log_offset = 0
        self.last_call_end = 0.0
        self.username = f"sip:alice@{lab.sip_ip}"
        self.proxy = f"sip:{lab.sip_ip}:{REGISTRAR_PORT}"

    # --- helpers -----------------------------------------------------------------
    def sipp(self, *a, **kw) -> Sipp:
        s = Sipp(self.lab.ns, self.lab.sip_ip, self.lab.sipp_dir, *a, **kw)
        self.sipps.append(s)
        return s

    def peer(self) -> Peer:
        p = Peer(self.args.tone_hz)
        self.peers.append(p)
        return p

    def uas_uri(self, user: str = "echo") -> str:
        return f"sip:{user}@{self.lab.sip_ip}:{UAS_PORT}"

    def contact_target(self) -> tuple[str, str]:
        """(host:port, user) of the registered Contact: where SIP peers send INVITEs."""
        if not self.contact:
            raise CheckFailed("no registered Contact known (scenario 1 failed?)")
        m = re.match(r"sips?:(?:([^@]+)@)?([^;>]+)", self.contact)
        if not m:
            raise CheckFailed(f"cannot parse the registered Contact {self.contact}")
        return m.group(2), m.group(1) or "alice"

    def mark(self, h: JanusHandle) -> None:
        self.marks[h.id] = len(h.history)

    @staticmethod
    def drain(h: JanusHandle) -> None:
        """Forget queued events (they stay in history): a scenario starts with an empty queue."""
        h._stash.clear()
        while not h.queue.empty():
            h.queue.get_nowait()

    async def settle(self) -> None:
        """Before an INVITE reaches the plugin: let the previous call's clean-up finish.
        Spec §6.2: a session is busy while a relay thread of the previous call still exists
        (stock: up to its 1 s poll timeout after the hangup)."""
        left = self.last_call_end + self.args.settle_s - time.monotonic()
        if left > 0:
            await asyncio.sleep(left)

    def plugin_events(self, h: JanusHandle) -> list[Event]:
        return [e for e in h.history[self.marks.get(h.id, 0):] if e.janus == "event"]

    def expect_sequence(self, h: JanusHandle, want: list[str], who: str = "") -> None:
        """WANT: ev_brief() of every plugin event since the mark: name, (code reason), +jsep:type."""
        got = [ev_brief(e) for e in self.plugin_events(h)]
        if self.args.plugin_label == "stock":
            got = stock_order(got)
        check(got == want, f"{who or 'events'}: exactly {' -> '.join(want)} (got {' -> '.join(got) or 'none'})")

    async def plugin_specific(self, h: JanusHandle) -> dict:
        ans = await http_request(f"{self.lab.admin}/{self.session.id}/{h.id}", "POST",
                                 {"janus": "handle_info", "transaction": "sip-scn",
                                  "admin_secret": self.lab.admin_secret}, 5)
        return ans.get("info", {}).get("plugin_specific", {})

    async def call_status(self, h: JanusHandle) -> str | None:
        return (await self.plugin_specific(h)).get("call_status")

    async def wait_idle(self, h: JanusHandle, timeout: float = 5.0, quiet: bool = False) -> None:
        deadline = time.monotonic() + timeout
        st = None
        while time.monotonic() < deadline:
            ps = await self.plugin_specific(h)
            st = ps.get("call_status")
            if st == "idle" and not ps.get("established") and not ps.get("establishing"):
                if not quiet:
                    check(True, f"handle {h.id} call_status idle, not establishing/established (admin query_session)")
                self.last_call_end = time.monotonic()
                return
            await asyncio.sleep(0.1)
        raise CheckFailed(f"handle {h.id} call_status is '{st}', not idle, {timeout:.0f} s after the call")

    async def end_webrtc(self, h: JanusHandle, peer: Peer | None) -> None:
        """What janus.js does after a plugin hangup: close the PC and hang up the core's side."""
        if peer is not None:
            await peer.close()
        try:
            await h.hangup_webrtc()
        except JanusError:
            pass

    async def register_body(self) -> dict:
        return {"request": "register", "username": self.username, "secret": self.lab.secret,
                "proxy": self.proxy, "display_name": "rtpgate e2e"}

    async def outgoing_call(self, h: JanusHandle, peer: Peer, uri: str) -> str:
        ev = await h.request({"request": "call", "uri": uri}, jsep=await peer.offer(), timeout=10)
        call_id = ev.data.get("call_id")
        check(ev.name == "calling" and bool(call_id) and ev.result.get("call_id") == call_id,
              f"immediate 'calling' with call_id {call_id} in result and at top level (got {ev_brief(ev)})")
        return call_id

    def check_call_id(self, ev: Event, call_id: str) -> None:
        check(ev.data.get("call_id") == call_id,
              f"'{ev.name}' carries top-level call_id {call_id} (got {ev.data.get('call_id')})")

    async def answered_call(self, h: JanusHandle, peer: Peer, uri: str) -> str:
        """Outgoing call that the UAS answers: calling -> accepted(+jsep), WebRTC up."""
        call_id = await self.outgoing_call(h, peer, uri)
        ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup", "progress"))
        check(ev.jsep is not None and ev.jsep.get("type") == "answer",
              f"'accepted' with jsep answer ({sdp_audio_summary(ev.jsep['sdp']) if ev.jsep else 'no jsep'})")
        self.check_call_id(ev, call_id)
        check(ev.result.get("username") == uri, f"'accepted' username is the callee {uri} (got {ev.result.get('username')})")
        await peer.set_answer(ev.jsep["sdp"])
        await peer.connected()
        return call_id

    async def local_hangup(self, h: JanusHandle, call_id: str | None, code: int = 200) -> Event:
        ev = await h.request({"request": "hangup"}, timeout=10)
        check(ev.name == "hangingup", f"immediate 'hangingup' (got {ev_brief(ev)})")
        ev = await h.wait_event("hangup", timeout=10)
        check(ev.result.get("code") == code, f"'hangup' code {code} (got {ev_brief(ev)})")
        if call_id:
            self.check_call_id(ev, call_id)
        return ev

    async def incoming(self, h: JanusHandle, cid: str, port: int, with_sdp: bool) -> Event:
        ev = await h.wait_event("incomingcall", timeout=10, fail_on=("error", "hangup", "missed_call"))
        hostport, user = self.contact_target()
        r = ev.result
        if with_sdp:
            check(ev.jsep is not None and ev.jsep.get("type") == "offer",
                  f"'incomingcall' with jsep offer ({sdp_audio_summary(ev.jsep['sdp']) if ev.jsep else 'no jsep'})")
        else:
            check(ev.jsep is None, f"'incomingcall' without jsep (offerless INVITE; got {ev.jsep and ev.jsep.get('type')})")
        check(r.get("username") == f"sip:caller@{self.lab.sip_ip}:{port}",
              f"incomingcall username (caller) {r.get('username')}")
        check(r.get("callee") == f"sip:{user}@{hostport}", f"incomingcall callee (To URI) {r.get('callee')}")
        check(r.get("call_id") == cid and ev.data.get("call_id") == cid,
              f"incomingcall call_id {cid} in result and at top level "
              f"(got {r.get('call_id')} / {ev.data.get('call_id')})")
        check(r.get("displayname") in ('"sipp caller"', "sipp caller"),
              f"incomingcall displayname {r.get('displayname')!r}")
        if self.args.plugin_label == "stock":
            # 1.1.2 binds the INVITE to the session only when its Sofia thread reports the
            # `received` call state, which can come after incomingcall: a request right away
            # may miss the call (no call_id on `declining`). Answer as a human would.
            await asyncio.sleep(0.3)
        return ev

    async def uac(self, name: str, xml: str, port: int, mport: int, cid: str, **kw) -> Sipp:
        """A calling sipp peer, started (after settle()) towards the registered Contact."""
        hostport, user = self.contact_target()
        await self.settle()
        return await self.sipp(name, xml, port, mport, remote=hostport, service=user, cid=cid, **kw).start(False)

    # --- scenarios ---------------------------------------------------------------
    async def s1_register(self, res: Result) -> None:
        h = self.master
        reg = await self.sipp("s1-registrar-403", "registrar_forbidden.xml", REGISTRAR_PORT, REGISTRAR_MP).start()
        ev = await h.request(await self.register_body(), timeout=10)
        check(ev.name == "registering", f"immediate 'registering' (got {ev_brief(ev)})")
        ev = await h.wait_event("registration_failed", "registered", timeout=10)
        check(ev.name == "registration_failed" and ev.result.get("code") == 403
              and ev.result.get("reason") == "Forbidden", f"'registration_failed' 403 Forbidden (got {ev_brief(ev)})")
        await reg.expect_ok(5)
        st = (await self.plugin_specific(h)).get("registration_status")
        check(st == "unregistered", f"registration_status 'unregistered' after the failure (got {st})")

        reg = await self.sipp("s1-registrar", "registrar_auth.xml", REGISTRAR_PORT, REGISTRAR_MP,
                              sets={"password": self.lab.secret}).start()
        ev = await h.request(await self.register_body(), timeout=10)
        check(ev.name == "registering", f"immediate 'registering' again after the failure (got {ev_brief(ev)})")
        ev = await h.wait_event("registered", timeout=10, fail_on=("error", "registration_failed"))
        r = ev.result
        check(r.get("register_sent") is True and r.get("username") == "alice" and isinstance(r.get("master_id"), int),
              f"'registered' username alice, register_sent true, master_id {r.get('master_id')}")
        self.master_id = r["master_id"]
        self.registered = True
        st = (await self.plugin_specific(h)).get("registration_status")
        check(st == "registered", f"registration_status 'registered' (got {st})")
        await reg.expect_ok(5, "(401 challenge then 200) ")
        m = re.search(r"contact=(sips?:\S+)", reg.read("logs"))
        check(m is not None, f"registrar saw a Contact ({m.group(1) if m else reg.tail('logs')})")
        self.contact = m.group(1)
        res.notes.append(f"Contact {self.contact}")
        self.expect_sequence(h, ["registering", "registration_failed(403 Forbidden)", "registering", "registered"])

    async def s2_rejected(self, res: Result) -> None:
        h = self.master
        for code, reason in ((486, "Busy Here"), (603, "Decline")):
            say(f"  -- UAS rejects with {code}")
            self.mark(h)
            uas = await self.sipp(f"s2-uas-{code}", "uas_reject.xml", UAS_PORT, UAS_MP,
                                  sets={"reject_code": str(code)}).start()
            peer = self.peer()
            call_id = await self.outgoing_call(h, peer, self.uas_uri("busy"))
            ev = await h.wait_event("hangup", timeout=10, fail_on=("error", "accepted", "progress"))
            check(ev.result.get("code") == code and ev.result.get("reason") == reason,
                  f"'hangup' {code} {reason} (got {ev_brief(ev)})")
            self.check_call_id(ev, call_id)
            check(ev.jsep is None, "'hangup' without jsep")
            await uas.expect_ok(5)
            await self.end_webrtc(h, peer)
            await self.wait_idle(h)
            self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", f"hangup({code} {reason})"], f"{code} call")
            res.events[f"master/{code}"] = [ev_brief(e) for e in self.plugin_events(h)]

    async def s3_early_media(self, res: Result) -> None:
        h = self.master
        uas = await self.sipp("s3-uas-early", "uas_early_media.xml", UAS_PORT, UAS_MP, echo=True,
                              extra=("-d", "4000")).start()
        peer = self.peer()
        t_call = time.monotonic()
        call_id = await self.outgoing_call(h, peer, self.uas_uri("early"))
        ev = await h.wait_event("progress", timeout=10, fail_on=("error", "hangup", "accepted"))
        check(ev.jsep is not None and ev.jsep.get("type") == "answer",
              f"'progress' with jsep answer ({sdp_audio_summary(ev.jsep['sdp']) if ev.jsep else 'no jsep'})")
        self.check_call_id(ev, call_id)
        check(ev.result.get("username") == self.uas_uri("early"),
              f"'progress' username is the callee (got {ev.result.get('username')})")
        await peer.set_answer(ev.jsep["sdp"])
        await peer.connected()
        res.notes.append(f"tone {await peer.tone('early media')}")
        early = [e.name for e in self.plugin_events(h)]
        check("accepted" not in early,
              f"tone echoed during early media, before 'accepted' ({1000 * (time.monotonic() - t_call):.0f} ms after call)")
        ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        check(ev.jsep is None, f"'accepted' without jsep after 'progress' carried the answer (got {ev_brief(ev)})")
        self.check_call_id(ev, call_id)
        hev = await self.local_hangup(h, call_id)
        res.notes.append(f"hangup after our BYE: {ev_brief(hev)}")
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        # 1.1.2: the 183 also moves Sofia's call state to "proceeding" (spec §5).
        self.expect_sequence(h, ["calling", "progress+jsep:answer", "proceeding(183)", "accepted", "hangingup",
                                 "hangup(200 to BYE)"])

    async def s4_peer_bye(self, res: Result) -> None:
        h = self.master
        uas = await self.sipp("s4-uas-bye", "uas_echo.xml", UAS_PORT, UAS_MP, echo=True,
                              sets={"bye_after_ms": "5000"}).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri())
        res.notes.append(f"tone {await peer.tone('echo')}")
        ev = await h.wait_event("hangup", timeout=10)
        check(ev.result.get("code") == 200 and ev.result.get("reason") == "Session Terminated",
              f"'hangup' 200 Session Terminated after the peer's BYE (got {ev_brief(ev)})")
        self.check_call_id(ev, call_id)
        await uas.expect_ok(5, "(our BYE answered 200) ")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer",
                                 "hangup(200 Session Terminated)"])

    async def s5_cancel_out(self, res: Result) -> None:
        h = self.master
        uas = await self.sipp("s5-uas-ring", "uas_ring_cancel.xml", UAS_PORT, UAS_MP).start()
        peer = self.peer()
        call_id = await self.outgoing_call(h, peer, self.uas_uri("ring"))
        await h.wait_event("ringing", timeout=10, fail_on=("error", "hangup", "accepted", "progress"))
        await asyncio.sleep(0.3)
        ev = await self.local_hangup(h, call_id, code=487)
        res.notes.append(f"hangup after CANCEL: {ev_brief(ev)}")
        await uas.expect_ok(5)
        check(any(ln.startswith("< CANCEL ") for ln in uas.sip_lines()), "the UAS received a CANCEL")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "hangingup", "hangup(487 Request Terminated)"])

    async def s6_incoming(self, res: Result) -> None:
        h = self.master
        cid = f"s6-{os.getpid()}-in"
        uac = await self.uac("s6-uac", "uac_call_wait_bye.xml", UAC_PORT, UAC_MP, cid, echo=True)
        ev = await self.incoming(h, cid, UAC_PORT, with_sdp=True)
        peer = self.peer()
        answer = await peer.answer_to(ev.jsep["sdp"])
        ev = await h.request({"request": "accept"}, jsep=answer, timeout=10)
        check(ev.name == "accepted" and ev.jsep is None, f"immediate 'accepted' (got {ev_brief(ev)})")
        self.check_call_id(ev, cid)
        await peer.connected()
        res.notes.append(f"tone {await peer.tone('echo by the calling UAC')}")
        ev = await self.local_hangup(h, cid)
        res.notes.append(f"hangup after our BYE: {ev_brief(ev)}")
        await uac.expect_ok(5, "(BYE from the client answered 200) ")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["incomingcall+jsep:offer", "accepted", "hangingup", "hangup(200 to BYE)"])

    async def s7_offerless(self, res: Result) -> None:
        h = self.master
        cid = f"s7-{os.getpid()}-offerless"
        uac = await self.uac("s7-uac", "uac_call_nosdp.xml", UAC_PORT, UAC_MP, cid, echo=True,
                             extra=("-d", "5000"))
        await self.incoming(h, cid, UAC_PORT, with_sdp=False)
        peer = self.peer()
        ev = await h.request({"request": "accept"}, jsep=await peer.offer(), timeout=10)
        check(ev.name == "accepting" and ev.jsep is None, f"immediate 'accepting' for an offer (got {ev_brief(ev)})")
        ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        check(ev.jsep is not None and ev.jsep.get("type") == "answer",
              f"'accepted' with the ACK's SDP as jsep answer "
              f"({sdp_audio_summary(ev.jsep['sdp']) if ev.jsep else 'no jsep'})")
        self.check_call_id(ev, cid)
        await peer.set_answer(ev.jsep["sdp"])
        await peer.connected()
        res.notes.append(f"tone {await peer.tone('echo by the calling UAC')}")
        ev = await h.wait_event("hangup", timeout=10)
        check(ev.result.get("code") == 200, f"'hangup' 200 after the caller's BYE (got {ev_brief(ev)})")
        res.notes.append(f"hangup after the peer's BYE: {ev_brief(ev)}")
        await uac.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["incomingcall", "accepting", "accepted+jsep:answer", "hangup(200 Session Terminated)"])

    async def s8_decline(self, res: Result) -> None:
        h = self.master
        cid = f"s8-{os.getpid()}-decline"
        uac = await self.uac("s8-uac", "uac_rejected.xml", UAC_PORT, UAC_MP, cid)
        await self.incoming(h, cid, UAC_PORT, with_sdp=True)
        ev = await h.request({"request": "decline"}, timeout=10)
        check(ev.name == "declining" and ev.result.get("code") == 486,
              f"immediate 'declining' code 486 (1.1.2 default) (got {ev_brief(ev)})")
        check(ev.result.get("call_id") == cid,
              f"'declining' result carries call_id {cid} (spec §4.6; got {ev.result.get('call_id')})")
        self.check_call_id(ev, cid)
        ev = await h.wait_event("hangup", timeout=10)
        res.notes.append(f"hangup after decline: {ev_brief(ev)}")
        self.check_call_id(ev, cid)
        await uac.expect_ok(5, "(486 received) ")
        await self.end_webrtc(h, None)
        await self.wait_idle(h)
        self.expect_sequence(h, ["incomingcall+jsep:offer", "declining(486)", "hangup(486 Busy Here)"])

    async def s9_cancel_in(self, res: Result) -> None:
        h = self.master
        cid = f"s9-{os.getpid()}-cancel"
        uac = await self.uac("s9-uac", "uac_cancel.xml", UAC_PORT, UAC_MP, cid, extra=("-d", "1000"))
        await self.incoming(h, cid, UAC_PORT, with_sdp=True)
        ev = await h.wait_event("hangup", timeout=10)
        check(ev.result.get("code") == 487, f"'hangup' 487 after the caller's CANCEL (got {ev_brief(ev)})")
        res.notes.append(f"hangup after CANCEL: {ev_brief(ev)}")
        self.check_call_id(ev, cid)
        await uac.expect_ok(5, "(CANCEL 200, INVITE 487) ")
        await self.end_webrtc(h, None)
        await self.wait_idle(h)
        self.expect_sequence(h, ["incomingcall+jsep:offer", "hangup(487 Request Terminated)"])

    async def s10_busy(self, res: Result) -> None:
        h = self.master
        uas = await self.sipp("s10-uas", "uas_echo.xml", UAS_PORT, UAS_MP, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri())
        cid = f"s10-{os.getpid()}-busy"
        uac = await self.uac("s10-uac-busy", "uac_rejected.xml", UAC2_PORT, UAC2_MP, cid)
        ev = await h.wait_event("missed_call", timeout=10, fail_on=("error", "hangup", "incomingcall"))
        hostport, user = self.contact_target()
        r = ev.result
        check(r.get("caller") == f"sip:caller@{self.lab.sip_ip}:{UAC2_PORT}", f"missed_call caller {r.get('caller')}")
        check(r.get("callee") == f"sip:{user}@{hostport}", f"missed_call callee {r.get('callee')}")
        check(ev.data.get("call_id") == cid, f"missed_call top-level call_id is the refused INVITE's {cid} "
                                             f"(got {ev.data.get('call_id')})")
        res.notes.append(f"missed_call {json.dumps(r, sort_keys=True)}")
        await uac.expect_ok(5, "(486 Busy Here) ")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "missed_call",
                                 "hangingup", "hangup(200 to BYE)"])

    async def s11_helper(self, res: Result) -> None:
        h = self.master
        if self.master_id is None:
            raise CheckFailed("no master_id (scenario 1 failed?)")
        hp = self.helper = await self.session.attach(PLUGIN)
        hp.on_event = lambda ev: say(f"  <- helper event: {ev.brief()}")
        self.mark(hp)
        ev = await hp.request({"request": "register", "type": "helper", "username": f"sip:helper@{self.lab.sip_ip}",
                               "master_id": self.master_id}, timeout=10)
        r = ev.result
        check(ev.name == "registered" and r.get("helper") is True and r.get("master_id") == self.master_id
              and r.get("register_sent") is False and r.get("username") == "alice",
              f"helper: immediate 'registered' helper true, master_id, register_sent false, the master's "
              f"username (got {json.dumps(r, sort_keys=True)})")
        uas = await self.sipp("s11-uas", "uas_echo.xml", UAS_PORT, UAS_MP, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri())
        cid = f"s11-{os.getpid()}-helper"
        uac = await self.uac("s11-uac", "uac_call_wait_bye.xml", UAC2_PORT, UAC2_MP, cid, echo=True)
        ev = await self.incoming(hp, cid, UAC2_PORT, with_sdp=True)
        hpeer = self.peer()
        ev = await hp.request({"request": "accept"}, jsep=await hpeer.answer_to(ev.jsep["sdp"]), timeout=10)
        check(ev.name == "accepted", f"helper: immediate 'accepted' (got {ev_brief(ev)})")
        await hpeer.connected()
        res.notes.append(f"helper tone {await hpeer.tone('helper call, echo by the UAC')}")
        await self.local_hangup(hp, cid)
        await uac.expect_ok(5, "(BYE from the helper answered 200) ")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(hp, hpeer)
        await self.end_webrtc(h, peer)
        await self.wait_idle(hp)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "hangingup",
                                 "hangup(200 to BYE)"], "master")
        self.expect_sequence(hp, ["registered", "incomingcall+jsep:offer", "accepted", "hangingup", "hangup(200 to BYE)"],
                             "helper")

    SCENARIOS = [
        (1, "register: 403 -> registration_failed; 401/200 -> registered", "s1_register"),
        (2, "outgoing call rejected 486 and 603 -> hangup; back to idle", "s2_rejected"),
        (3, "outgoing call, 183+SDP early media then 200", "s3_early_media"),
        (4, "outgoing call, the peer hangs up (BYE)", "s4_peer_bye"),
        (5, "outgoing call cancelled before the answer", "s5_cancel_out"),
        (6, "incoming call with SDP, accept, tone, our BYE", "s6_incoming"),
        (7, "incoming offerless INVITE, answer in ACK", "s7_offerless"),
        (8, "incoming call declined (486)", "s8_decline"),
        (9, "incoming call cancelled by the caller", "s9_cancel_in"),
        (10, "busy: second INVITE -> 486 + missed_call", "s10_busy"),
        (11, "helper takes the call while the master is busy", "s11_helper"),
    ]

    # --- running -----------------------------------------------------------------
    def janus_log_lines(self) -> list[str]:
        """Plugin lines Janus logged since the scenario began ([rtpgate] or stock's [SIP-...])."""
        if not self.lab.janus_log:
            return []
        try:
            with open(self.lab.janus_log, errors="replace") as f:
                f.seek(self.log_offset)
                text = f.read()
        except OSError:
            return []
        return [ln.rstrip() for ln in text.splitlines() if "[rtpgate]" in ln or "[SIP-" in ln or "[ERR]" in ln][-40:]

    def log_mark(self) -> None:
        try:
            self.log_offset = os.path.getsize(self.lab.janus_log) if self.lab.janus_log else 0
        except OSError:
            self.log_offset = 0

    async def cleanup(self) -> None:
        """After a failure: end whatever call is left, stop sipp, close PCs, back to idle."""
        for h in (self.master, self.helper):
            if h is None:
                continue
            try:
                st = await self.call_status(h)
                if st in ("invited", "progress"):
                    await h.send({"request": "decline"})
                elif st not in (None, "idle", "closing"):
                    await h.send({"request": "hangup"})
                if st not in (None, "idle"):
                    try:
                        await h.wait_event("hangup", timeout=5)
                    except JanusError:
                        pass
                await self.end_webrtc(h, None)
                await self.wait_idle(h, 5, quiet=True)
            except (JanusError, CheckFailed, asyncio.TimeoutError) as e:
                say(f"  cleanup: handle {h.id}: {e}")

    async def run_one(self, sid: int, name: str, fn: str, res: Result) -> None:
        say(f"== scenario {sid}: {name}")
        self.sipps, self.peers = [], []
        handles = [h for h in (self.master, self.helper) if h]
        for h in handles:
            self.drain(h)
            self.mark(h)
        self.log_mark()
        t = time.monotonic()
        failed = True
        try:
            await asyncio.wait_for(getattr(self, fn)(res), self.args.scenario_timeout)
            seen = {h.id: len(self.plugin_events(h)) for h in handles + ([self.helper] if self.helper else [])}
            await asyncio.sleep(0.3)
            late = [ev_brief(e) for h in handles + ([self.helper] if self.helper else [])
                    for e in self.plugin_events(h)[seen[h.id]:]]
            check(not late, f"no late plugin events after the scenario's last step (got {', '.join(late)})")
            res.status = "PASS"
            failed = False
        except CheckFailed as e:
            res.status, res.error = "FAIL", str(e)
        except asyncio.TimeoutError:
            res.status, res.error = "FAIL", f"scenario timeout ({self.args.scenario_timeout:.0f} s)"
        except (JanusError, Exception) as e:  # noqa: BLE001 - a broken scenario is a failure, go on
            res.status, res.error = "FAIL", f"{type(e).__name__}: {e}"
        res.time_s = round(time.monotonic() - t, 2)
        if failed:
            say(f"  FAIL: {res.error}")
            await self.cleanup()
        for s in self.sipps:
            await s.stop()
            res.sip[s.name] = s.sip_lines()
            res.sip_flow[s.name] = s.sip_summary()
        for p in self.peers:
            await p.close()
        for h in [h for h in (self.master, self.helper) if h]:
            who = "master" if h is self.master else "helper"
            res.events.setdefault(who, [ev_brief(e) for e in self.plugin_events(h)])
            res.shapes.setdefault(who, [ev_shape(e) for e in self.plugin_events(h)])
        if failed:
            res.plugin_log = self.janus_log_lines()
            if sid in STOCK_KNOWN and self.args.plugin_label == "stock":
                res.status = "KNOWN"
                res.notes.append(f"known stock deviation: {STOCK_KNOWN[sid]}")
        say(f"  {res.status} in {res.time_s:.1f} s")

    async def run(self, results: list[Result]) -> None:
        session = JanusSession(self.lab.janus)
        await session.create()
        try:
            await self.run_all(session, results)
        finally:
            await close_session(session)

    async def run_all(self, session: JanusSession, results: list[Result]) -> None:
        only = set(self.args.only) if self.args.only else None
        self.session = session
        info = await session.info()
        plugin = info.get("plugins", {}).get(PLUGIN, {})
        check(bool(plugin), f"{PLUGIN} loaded ({plugin.get('name', '?')} {plugin.get('version_string', '')})")
        self.master = await session.attach(PLUGIN)
        self.master.on_event = lambda ev: say(f"  <- event: {ev.brief()}")
        say(f"session {session.id}, master handle {self.master.id}")
        for sid, name, fn in self.SCENARIOS:
            res = Result(sid, name)
            results.append(res)
            if only is not None and sid not in only and sid != 1:
                res.status = "SKIP"
                continue
            if sid != 1 and not self.registered:
                res.status, res.error = "SKIP", "not registered (scenario 1 failed)"
                continue
            await self.run_one(sid, name, fn, res)
        if self.helper is not None:
            try:
                await self.helper.detach()
            except JanusError:
                pass


async def close_session(session: JanusSession) -> None:
    """Stop the long poll and destroy the session, bounded. (The poll task can swallow one
    cancellation when its wait_for completes at the same moment, so cancel until it is done
    rather than awaiting it as JanusSession.destroy does.)"""
    task = session._poll_task
    for _ in range(20):
        if task is None or task.done():
            break
        task.cancel()
        await asyncio.wait({task}, timeout=0.25)
    session._poll_task = None
    if session.id is not None:
        try:
            await http_request(session.url, "POST", {"janus": "destroy", "transaction": "sip-scn-end"}, 5)
        except (JanusError, asyncio.TimeoutError, OSError):
            pass
        session.id = None


def write_json(path: str, label: str, results: list[Result], wall_s: float, error: str = "") -> None:
    out = {"plugin": label, "wall_s": round(wall_s, 2), "error": error,
           "scenarios": [r.__dict__ for r in results]}
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--table", nargs="+", metavar="JSON", help="print the comparison table of result files and exit")
    ap.add_argument("--janus", help="Janus HTTP API URL")
    ap.add_argument("--admin", help="Janus Admin API URL")
    ap.add_argument("--admin-secret", default="rtpgate-e2e")
    ap.add_argument("--ice-ip", help="the only local address offered in ICE (Janus's ICE address)")
    ap.add_argument("--ns", default="e2a", help="network namespace of the SIP peers")
    ap.add_argument("--sip-ip", help="address of the SIP peers (sipp -i) in NS")
    ap.add_argument("--sipp-dir", help="directory for sipp traces")
    ap.add_argument("--janus-log", help="Janus log file (plugin lines are quoted on failures)")
    ap.add_argument("--plugin-label", default="plugin", help="stock or rtpgate (for reports)")
    ap.add_argument("--only", type=lambda s: [int(x) for x in s.split(",") if x], help="scenario ids, e.g. 1,6,7")
    ap.add_argument("--tone-hz", type=float, default=1000.0)
    ap.add_argument("--settle-s", type=float, default=1.5,
                    help="time between the end of a call and the next incoming INVITE")
    ap.add_argument("--scenario-timeout", type=float, default=30.0)
    ap.add_argument("--timeout", type=float, default=150.0, help="bound on the whole run")
    ap.add_argument("--json-out")
    ap.add_argument("--suite", default="part1", choices=("part1", "incall"),
                    help="part1: this file's scenarios; incall: plugin part 2 (incall_scenarios.py)")
    args = ap.parse_args()
    if args.table:
        return print_table(args.table)
    for k in ("janus", "admin", "ice_ip", "sip_ip", "sipp_dir"):
        if not getattr(args, k):
            ap.error(f"--{k.replace('_', '-')} is required")
    restrict_ice_to(args.ice_ip)
    lab = Lab(args.janus, args.admin.rstrip("/"), args.admin_secret, args.ice_ip, args.ns, args.sip_ip,
              args.sipp_dir, args.janus_log)
    results: list[Result] = []
    if args.suite == "incall":
        from incall_scenarios import InCallSuite  # noqa: E402 - its mixins import this module
        suite = InCallSuite(lab, args)
    else:
        suite = Suite(lab, args)
    error = ""
    try:
        asyncio.run(asyncio.wait_for(suite.run(results), args.timeout))
    except asyncio.TimeoutError:
        error = f"overall timeout of {args.timeout:.0f} s"
    except (CheckFailed, JanusError) as e:
        error = f"{type(e).__name__}: {e}"
    except Exception as e:  # noqa: BLE001 - report, do not hide
        error = f"unexpected {type(e).__name__}: {e}"
    say("run finished")
    for r in results:
        if r.status == "not run" and not r.error:
            r.error = error or "not run"
    if error:
        say(f"RUN ERROR: {error}")
    if args.json_out:
        write_json(args.json_out, args.plugin_label, results, now(), error)
    print(f"\n{args.plugin_label}:")
    for r in results:
        print(f"  {r.id:>2} {r.status:<7} {r.time_s:5.1f} s  {r.name}" + (f"  -- {r.error}" if r.error and r.status != "SKIP" else ""))
    bad = [r for r in results if r.status in ("FAIL", "not run")]
    if error or bad:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
