"""Plugin part 2 scenarios: REFER: blind and attended transfers (ids 40-49).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...).

  40  transferor, blind: `transfer` -> REFER; sipp answers 202 and NOTIFYs -> `notify` events
  41  transferor, attended: master + helper calls; Refer-To <uri?replaces=helper call>
  42  transferee: sipp REFERs us; `transfer` event; `call` with refer_id on the helper to a
      second sipp; the transferor gets sipfrag NOTIFYs up to "SIP/2.0 200 OK"
  43  target: INVITE with Replaces and Referred-By -> `incomingcall` replaces/referred_by
"""

from __future__ import annotations

import json
import os
import re

from e2e_check import CheckFailed, check, say
from janus_client import JanusError, JanusHandle
from sip_scenarios import ev_brief

PLUGIN = "janus.plugin.sip"

# Extra sipp peers of these scenarios (ports in the SIP peers' namespace; -mp and -mp + 2 bound).
XFER_UAS2_PORT, XFER_UAS2_MP = 5100, 6300


class TransferScenarios:
    SCENARIOS: list[tuple[int, str, str]] = [
        (40, "transferor, blind: REFER, NOTIFYs -> notify events", "s40_transferor_blind"),
        (41, "transferor, attended: Refer-To with the helper call's Replaces", "s41_transferor_attended"),
        (42, "transferee: transfer event, call with refer_id, sipfrag NOTIFYs", "s42_transferee"),
        (43, "target: incomingcall with replaces and referred_by", "s43_target"),
    ]

    # --- helpers -----------------------------------------------------------------
    async def xfer_helper(self) -> JanusHandle:
        """The master's helper (created once, as scenario 11 of part 1 does)."""
        if self.helper is not None:
            return self.helper
        if self.master_id is None:
            raise CheckFailed("no master_id (scenario 1 failed?)")
        hp = self.helper = await self.session.attach(PLUGIN)
        hp.on_event = lambda ev: say(f"  <- helper event: {ev.brief()}")
        ev = await hp.request({"request": "register", "type": "helper", "username": f"sip:helper@{self.lab.sip_ip}",
                               "master_id": self.master_id}, timeout=10)
        check(ev.name == "registered" and ev.result.get("helper") is True, f"helper registered (got {ev.brief()})")
        self.mark(hp)
        return hp

    def xfer_uas2_uri(self, user: str) -> str:
        return f"sip:{user}@{self.lab.sip_ip}:{XFER_UAS2_PORT}"

    def xfer_logged(self, sipp, what: str) -> list[str]:
        return re.findall(rf"{what} (.*)", sipp.read("logs"))

    async def xfer_end(self, h: JanusHandle, peer, call_id: str) -> None:
        await self.local_hangup(h, call_id)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)

    # --- scenarios ---------------------------------------------------------------
    async def s40_transferor_blind(self, res) -> None:
        h = self.master
        uas = await self.sipp("s40-xferee", "xfer_uas_refer.xml", 5070, 6000, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri("xferee"))
        target = self.xfer_uas2_uri("carol")
        ev = await h.request({"request": "transfer", "uri": target}, timeout=10)
        check(ev.name == "transferring", f"immediate 'transferring' (got {ev.brief()})")
        self.check_call_id(ev, call_id)
        for frag, state in (("SIP/2.0 100 Trying", "active"), ("SIP/2.0 200 OK", "terminated")):
            ev = await h.wait_event("notify", timeout=10, fail_on=("error", "hangup"))
            r = ev.result
            check(r.get("notify") == "refer" and r.get("substate") == state
                  and r.get("content-type") == "message/sipfrag" and r.get("content", "").startswith(frag),
                  f"'notify' refer/{state}/message/sipfrag '{frag}' (got {json.dumps(r, sort_keys=True)})")
            self.check_call_id(ev, call_id)
        refer_to = self.xfer_logged(uas, "refer-to")
        check(refer_to == [f"<{target}>"], f"the REFER's Refer-To is <{target}> (got {refer_to})")
        res.notes.append(f"Refer-To {refer_to[0]}")
        await self.xfer_end(h, peer, call_id)
        await uas.expect_ok(5, "(REFER 202, two NOTIFYs answered 200, our BYE) ")
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "transferring",
                                 "notify", "notify", "hangingup", "hangup(200 to BYE)"])

    async def s41_transferor_attended(self, res) -> None:
        h = self.master
        hp = await self.xfer_helper()
        uas_a = await self.sipp("s41-xferee", "xfer_uas_refer.xml", 5070, 6000, echo=True).start()
        uas_b = await self.sipp("s41-target", "uas_echo.xml", XFER_UAS2_PORT, XFER_UAS2_MP, echo=True).start()
        peer_a, peer_b = self.peer(), self.peer()
        call_a = await self.answered_call(h, peer_a, self.uas_uri("xferee"))
        call_b = await self.answered_call(hp, peer_b, self.xfer_uas2_uri("target"))
        target = self.xfer_uas2_uri("target")
        ev = await h.request({"request": "transfer", "uri": target, "replace": call_b}, timeout=10)
        check(ev.name == "transferring", f"immediate 'transferring' for the attended transfer (got {ev.brief()})")
        for _ in range(2):
            await h.wait_event("notify", timeout=10, fail_on=("error", "hangup"))
        refer_to = self.xfer_logged(uas_a, "refer-to")
        want = rf"<{re.escape(target)}\?replaces={re.escape(call_b)}%3Bfrom-tag%3D[^%>]+%3Bto-tag%3D[^%>]+>"
        check(len(refer_to) == 1 and re.fullmatch(want, refer_to[0]) is not None,
              f"Refer-To carries the helper call's dialog as an escaped Replaces (got {refer_to})")
        res.notes.append(f"Refer-To {refer_to[0] if refer_to else '-'}")
        try:
            ev = await h.request({"request": "transfer", "uri": target, "replace": "no-such-call"}, timeout=10)
            raise CheckFailed(f"unknown replace answered {ev.brief()}, not 454")
        except JanusError as e:
            check("plugin error 454: No such call-ID no-such-call" in str(e),
                  f"unknown replace -> 454 No such call-ID no-such-call ({e})")
        await self.xfer_end(h, peer_a, call_a)
        await self.xfer_end(hp, peer_b, call_b)
        await uas_a.expect_ok(5)
        await uas_b.expect_ok(5)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "transferring",
                                 "notify", "notify", "error(454 No such call-ID no-such-call)", "hangingup",
                                 "hangup(200 to BYE)"], "master")

    async def s42_transferee(self, res) -> None:
        h = self.master
        hp = await self.xfer_helper()
        target = self.xfer_uas2_uri("target")
        xferor = await self.sipp("s42-transferor", "xfer_uas_transferor.xml", 5070, 6000, echo=True,
                                 sets={"target": target}).start()
        uas_t = await self.sipp("s42-target", "uas_echo.xml", XFER_UAS2_PORT, XFER_UAS2_MP, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri("xferor"))
        ev = await h.wait_event("transfer", timeout=10, fail_on=("error", "hangup"))
        r = ev.result
        refer_id = r.get("refer_id")
        by = f"<sip:xferor@{self.lab.sip_ip}:5070>"
        check(isinstance(refer_id, int) and refer_id > 0 and r.get("refer_to") == target
              and r.get("referred_by") == by and "call_id" not in ev.data,
              f"'transfer' refer_id > 0, refer_to {target}, referred_by {by}, no top-level call_id "
              f"(got {json.dumps(ev.data, sort_keys=True)})")
        self.mark(hp)
        hpeer = self.peer()
        ev = await hp.request({"request": "call", "uri": target, "refer_id": refer_id},
                              jsep=await hpeer.offer(), timeout=10)
        check(ev.name == "calling", f"helper: immediate 'calling' for the follow-up call (got {ev.brief()})")
        new_call = ev.data.get("call_id")
        ev = await hp.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        await hpeer.set_answer(ev.jsep["sdp"])
        await hpeer.connected()
        res.notes.append(f"tone {await hpeer.tone('transferred call, echo by the target')}")
        ev = await h.wait_event("hangup", timeout=10)
        check(ev.result.get("code") == 200, f"the transferor hangs up the first call (got {ev.brief()})")
        await xferor.expect_ok(10, "(REFER 202, NOTIFYs up to 200, BYE) ")
        notifies = self.xfer_logged(xferor, "notify")
        res.notes.append(f"NOTIFYs at the transferor: {notifies}")
        codes = [n.split()[0] for n in notifies]
        check(codes and codes[-1] == "200" and "180" in codes and all(c in ("100", "180", "200") for c in codes),
              f"the transferor got sipfrag NOTIFYs ending with 200, with the 180 (got {codes})")
        check(all("message/sipfrag" in n for n in notifies), "every NOTIFY is message/sipfrag")
        check(all(n.split()[1].startswith("active") for n in notifies[:-1]), "NOTIFYs before the final are active")
        final_state = notifies[-1].split()[1]
        want = "active" if self.args.plugin_label == "stock" else "terminated"
        check(final_state.startswith(want),
              f"final NOTIFY Subscription-State {want} (v1.1.2 keeps it active; got {final_state})")
        refer_lines = [ln for ln in uas_t.read("logs").splitlines() if "INVITE from" in ln]
        res.notes.append(f"target saw {refer_lines[:1]}")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        await self.xfer_end(hp, hpeer, new_call)
        await uas_t.expect_ok(5)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "transfer",
                                 "hangup(200 Session Terminated)"], "master")
        self.expect_sequence(hp, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "hangingup",
                                  "hangup(200 to BYE)"], "helper")

    async def s43_target(self, res) -> None:
        h = self.master
        cid = f"s43-{os.getpid()}-replaces"
        replaces = f"orig-{os.getpid()}@{self.lab.sip_ip};to-tag=tt1;from-tag=ff2"
        by = f"sip:xferor@{self.lab.sip_ip}:5070"
        uac = await self.uac("s43-uac", "xfer_uac_replaces.xml", 5080, 6100, cid,
                             sets={"replaces": replaces, "referred_by": by})
        ev = await self.incoming(h, cid, 5080, with_sdp=True)
        r = ev.result
        check(r.get("replaces") == f"orig-{os.getpid()}@{self.lab.sip_ip}",
              f"incomingcall replaces is the replaced Call-ID (got {r.get('replaces')})")
        check(r.get("referred_by") == f"<{by}>", f"incomingcall referred_by <{by}> (got {r.get('referred_by')})")
        ev = await h.request({"request": "decline"}, timeout=10)
        check(ev.name == "declining", f"immediate 'declining' (got {ev.brief()})")
        await h.wait_event("hangup", timeout=10)
        await uac.expect_ok(5, "(486 received) ")
        await self.end_webrtc(h, None)
        await self.wait_idle(h)
        # The 486 and the `declining` answer race (v1.1.2 pushes them from two threads).
        got = [ev_brief(e) for e in self.plugin_events(h)]
        check(got[:1] == ["incomingcall+jsep:offer"]
              and sorted(got[1:]) == ["declining(486)", "hangup(486 Busy Here)"],
              f"events: incomingcall+jsep:offer, then declining(486) and hangup(486 Busy Here) (got {got})")
