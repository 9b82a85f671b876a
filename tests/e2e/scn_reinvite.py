"""Plugin part 2 scenarios: hold/unhold, update and re-INVITEs from the peer (ids 20-29).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...).

sipp peers: tests/sip/reinv_uas_answer.xml answers our re-INVITEs (the scenarios check from
its trace that each carries a higher o= version); tests/sip/reinv_uas_peer.xml sends its own re-INVITEs. Both
echo the media, so the browser hears its own 1 kHz tone whenever both directions flow."""

from __future__ import annotations

import asyncio
import re
import time

from e2e_check import CheckFailed, check
from tone import ToneReceiver

UAS_PORT, UAS_MP = 5070, 6000
HOLD_DIRS = ("sendonly", "recvonly", "inactive")


def sipp_messages(sipp, received: bool) -> list[str]:
    """SIP messages of a sipp -message_file trace, received (or sent) ones, in order."""
    out, cur, take = [], [], False
    for ln in sipp.read("messages").splitlines():
        if ln.startswith("-----"):
            if take and cur:
                out.append("\n".join(cur).strip())
            cur, take = [], False
            continue
        if "message received" in ln or "message sent" in ln:
            take = ("message received" in ln) == received
            continue
        if take:
            cur.append(ln)
    if take and cur:
        out.append("\n".join(cur).strip())
    return [m for m in out if m]


def sdp_direction(msg: str) -> str:
    m = re.search(r"a=(sendrecv|sendonly|recvonly|inactive)", msg)
    return m.group(1) if m else "sendrecv"


def o_version(msg: str) -> int:
    m = re.search(r"o=\S+ \d+ (\d+) ", msg)
    return int(m.group(1)) if m else -1


class ReinviteScenarios:
    # --- helpers -------------------------------------------------------------------------
    async def wait_sipp(self, sipp, pred, what: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return
            await asyncio.sleep(0.1)
        raise CheckFailed(f"{what} (sipp saw: {sipp.sip_summary()})")

    def invites_in(self, sipp) -> list[str]:
        return [m for m in sipp_messages(sipp, True) if m.startswith("INVITE ")]

    def acks_in(self, sipp) -> int:
        return sum(1 for m in sipp_messages(sipp, True) if m.startswith("ACK "))

    def oks_in(self, sipp) -> list[str]:
        return [m for m in sipp_messages(sipp, True) if m.startswith("SIP/2.0 200") and "CSeq: " in m
                and " INVITE" in m.split("CSeq: ", 1)[1].splitlines()[0]]

    async def fresh_tone(self, peer, what: str) -> dict:
        """The tone, from audio that arrives from now on (frames queued earlier are dropped)."""
        if peer.track is None:
            peer.track = await asyncio.wait_for(peer.tracks.get(), 5)
        rx = ToneReceiver(peer.track, warmup_frames=0)
        rx.start()
        await asyncio.sleep(0.3)
        await rx.stop()
        return await peer.tone(what)

    async def silence(self, peer, what: str, seconds: float = 1.5) -> None:
        """No audio comes back to the browser (the held direction is dropped)."""
        if peer.track is None:
            peer.track = await asyncio.wait_for(peer.tracks.get(), 5)
        rx = ToneReceiver(peer.track, warmup_frames=0)
        rx.start()
        await asyncio.sleep(0.5)   # what was already in flight
        before = rx.frames
        await asyncio.sleep(seconds)
        got = rx.frames - before
        await rx.stop()
        check(got <= 5, f"{what}: no audio back at the browser for {seconds:.1f} s (got {got} frames)")

    # --- scenarios -----------------------------------------------------------------------
    async def s20_hold_unhold(self, res) -> None:
        h = self.master
        uas = await self.sipp("s20-uas", "reinv_uas_answer.xml", UAS_PORT, UAS_MP, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri())
        res.notes.append(f"tone before hold {await peer.tone('echo before hold')}")
        ev = await h.request({"request": "hold"}, timeout=10)
        check(ev.name == "holding", f"immediate 'holding' (got {ev.brief()})")
        await self.wait_sipp(uas, lambda: len(self.invites_in(uas)) >= 2 and self.acks_in(uas) >= 2,
                             "the UAS got the hold re-INVITE and its ACK")
        await self.silence(peer, "held sendonly (the peer's media is dropped)")
        ev = await h.request({"request": "unhold"}, timeout=10)
        check(ev.name == "resuming", f"immediate 'resuming' (got {ev.brief()})")
        await self.wait_sipp(uas, lambda: len(self.invites_in(uas)) >= 3 and self.acks_in(uas) >= 3,
                             "the UAS got the unhold re-INVITE and its ACK")
        res.notes.append(f"tone after unhold {await self.fresh_tone(peer, 'echo after unhold')}")
        invites = self.invites_in(uas)
        dirs = [sdp_direction(m) for m in invites]
        vers = [o_version(m) for m in invites]
        check(dirs == ["sendrecv", "sendonly", "sendrecv"], f"offered directions call/hold/unhold {dirs}")
        check(vers[0] < vers[1] < vers[2], f"o= version rises on every re-INVITE {vers}")
        res.notes.append(f"re-INVITE directions {dirs}, o= versions {vers}")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5, "(every re-INVITE answered by the UAS) ")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "accepted+jsep:answer", "holding", "resuming", "hangingup",
                                 "hangup(200 to BYE)"])

    async def _peer_reinvites(self, res, name: str, sets: dict[str, str], call_extra: dict | None = None):
        uas = await self.sipp(name, "reinv_uas_peer.xml", UAS_PORT, UAS_MP, echo=True, sets=sets).start()
        peer = self.peer()
        h = self.master
        if call_extra:
            ev = await h.request({"request": "call", "uri": self.uas_uri(), **call_extra}, jsep=await peer.offer(),
                                 timeout=10)
            check(ev.name == "calling", f"immediate 'calling' (got {ev.brief()})")
            call_id = ev.data.get("call_id")
            ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
            await peer.set_answer(ev.jsep["sdp"])
            await peer.connected()
        else:
            call_id = await self.answered_call(h, peer, self.uas_uri())
        return uas, peer, call_id

    async def s21_peer_hold(self, res) -> None:
        h = self.master
        uas, peer, call_id = await self._peer_reinvites(
            res, "s21-uas", {"port0": str(UAS_MP), "dir1": "sendonly", "port1": str(UAS_MP), "dir2": "sendrecv",
                             "port2": str(UAS_MP), "count": "2", "pause_ms": "3000"})
        res.notes.append(f"tone before the peer's hold {await peer.tone('echo before the peer holds')}")
        await self.wait_sipp(uas, lambda: len(self.oks_in(uas)) >= 1, "200 to the peer's hold re-INVITE", 10)
        await self.silence(peer, "the peer holds us (sendonly): we stop sending, nothing is echoed")
        await self.wait_sipp(uas, lambda: len(self.oks_in(uas)) >= 2, "200 to the peer's resume re-INVITE", 10)
        res.notes.append(f"tone after the peer resumed {await self.fresh_tone(peer, 'echo after the peer resumes')}")
        oks = self.oks_in(uas)
        dirs = [sdp_direction(m) for m in oks]
        check(dirs[0] in ("recvonly", "inactive") and dirs[1] == "sendrecv",
              f"our answers: {dirs[0]} to sendonly, {dirs[1]} to sendrecv")
        res.notes.append(f"answer directions {dirs}")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        # Auto-accepted: the application hears nothing of the re-INVITEs.
        self.expect_sequence(h, ["calling", "accepted+jsep:answer", "hangingup", "hangup(200 to BYE)"])

    async def s22_peer_moves(self, res) -> None:
        """The call starts on a port where nothing echoes; the peer's re-INVITE moves the media
        to its echo port: the tone comes back only if the flows were re-pointed."""
        h = self.master
        uas, peer, call_id = await self._peer_reinvites(
            res, "s22-uas", {"port0": str(UAS_MP + 4), "dir1": "sendrecv", "port1": str(UAS_MP), "dir2": "sendrecv",
                             "port2": str(UAS_MP), "count": "1", "pause_ms": "3000"})
        await self.silence(peer, "media sent to a port where nothing echoes", 1.0)
        await self.wait_sipp(uas, lambda: len(self.oks_in(uas)) >= 1, "200 to the peer's re-INVITE", 10)
        tone = await self.fresh_tone(peer, "echo after the re-INVITE moved the media")
        res.notes.append(f"tone after the move {tone}")
        ps = await self.plugin_specific(h)
        res.notes.append(f"media after the move: {ps.get('rtpgate', {}).get('audio', 'n/a')}")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "accepted+jsep:answer", "hangingup", "hangup(200 to BYE)"])

    async def s23_manual_reinvite(self, res) -> None:
        h = self.master
        uas, peer, call_id = await self._peer_reinvites(
            res, "s23-uas", {"port0": str(UAS_MP), "dir1": "sendrecv", "port1": str(UAS_MP), "dir2": "sendrecv",
                             "port2": str(UAS_MP), "count": "1", "pause_ms": "2000"},
            call_extra={"autoaccept_reinvites": False})
        res.notes.append(f"tone before {await peer.tone('echo before the re-INVITE')}")
        ev = await h.wait_event("updatingcall", timeout=10, fail_on=("error", "hangup"))
        check(ev.jsep is not None and ev.jsep.get("type") == "offer", "'updatingcall' with jsep offer")
        self.check_call_id(ev, call_id)
        check(ev.result.get("username") == self.uas_uri(), f"updatingcall username {ev.result.get('username')}")
        st = await self.call_status(h)
        check(st == "incall_reinvited", f"call_status incall_reinvited (got {st})")
        answer = await peer.answer_to(ev.jsep["sdp"])
        ev = await h.request({"request": "update"}, jsep=answer, timeout=10)
        check(ev.name == "updated", f"immediate 'updated' (got {ev.brief()})")
        await self.wait_sipp(uas, lambda: len(self.oks_in(uas)) >= 1, "200 (with SDP) to the peer's re-INVITE", 10)
        ok = self.oks_in(uas)[0]
        check("m=audio " in ok, "the 200 carries our SDP answer")
        res.notes.append(f"tone after update {await self.fresh_tone(peer, 'echo after the update')}")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "accepted+jsep:answer", "updatingcall+jsep:offer", "updated",
                                 "hangingup", "hangup(200 to BYE)"])

    async def s24_update(self, res) -> None:
        h = self.master
        uas = await self.sipp("s24-uas", "reinv_uas_answer.xml", UAS_PORT, UAS_MP, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri())
        res.notes.append(f"tone before update {await peer.tone('echo before update')}")
        offer = await peer.offer()
        ev = await h.request({"request": "update"}, jsep=offer, timeout=10)
        check(ev.name == "updating", f"immediate 'updating' (got {ev.brief()})")
        ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        check(ev.jsep is not None and ev.jsep.get("type") == "answer",
              "the 200 to the re-INVITE comes back as 'accepted' with a jsep answer (quirk §18 #4)")
        self.check_call_id(ev, call_id)
        await peer.set_answer(ev.jsep["sdp"])
        invites = self.invites_in(uas)
        check(len(invites) == 2 and o_version(invites[1]) > o_version(invites[0]),
              f"one re-INVITE with a higher o= version ({[o_version(m) for m in invites]})")
        res.notes.append(f"tone after update {await self.fresh_tone(peer, 'echo after update')}")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        self.expect_sequence(h, ["calling", "accepted+jsep:answer", "updating", "accepted+jsep:answer", "hangingup",
                                 "hangup(200 to BYE)"])

    SCENARIOS: list[tuple[int, str, str]] = [
        (20, "hold (sendonly) and unhold from us: re-INVITE directions, o= versions, tone", "s20_hold_unhold"),
        (21, "the peer holds us (sendonly) and resumes: auto-accepted, tone stops and resumes", "s21_peer_hold"),
        (22, "the peer moves its media to its echo port in a re-INVITE: tone starts", "s22_peer_moves"),
        (23, "autoaccept_reinvites false: updatingcall, update with answer, 200 with SDP", "s23_manual_reinvite"),
        (24, "update from the browser: re-INVITE, answer as accepted with jsep", "s24_update"),
    ]
