"""Plugin part 2 scenarios: INFO, dtmf_info, MESSAGE and SUBSCRIBE/NOTIFY (ids 30-39).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...).

The sipp peers (tests/sip/msg_*.xml) check what reaches the wire (content types, bodies,
custom headers, digests, Expires) with check_it regexps: a difference fails their call and
the scenario with it. The plugin side checks the exact event sequence and the fields of
every event (spec §4.11-4.14, §5)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time

from e2e_check import check

UAS_PORT, UAS_MP = 5070, 6000   # as sip_scenarios
UAC_PORT, UAC_MP = 5080, 6100
SUBSCRIBE_TTL = 10


class MessagingScenarios:
    def sipp_log(self, sipp, pattern: str) -> str:
        """The first group of PATTERN in a sipp's own log (its <log> lines), '' when absent."""
        m = re.search(pattern, sipp.read("logs"))
        return m.group(1) if m else ""

    def check_fields(self, ev, want: dict, what: str) -> None:
        got = {k: ev.result.get(k) for k in want}
        check(got == want, f"'{ev.name}' {what}: {json.dumps(want, sort_keys=True)} "
                           f"(got {json.dumps(ev.result, sort_keys=True)})")

    async def end_call(self, h, uas, peer, call_id) -> None:
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)

    # --- 30: INFO both ways, dtmf_info on the wire -----------------------------------
    async def s30_info(self, res) -> None:
        h = self.master
        uas = await self.sipp("s30-uas-info", "msg_uas_info.xml", UAS_PORT, UAS_MP).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri("info"))
        ev = await h.request({"request": "info", "type": "application/x-e2e-info", "content": "hello info",
                              "headers": {"X-E2E": "one"}}, timeout=10)
        check(ev.name == "infosent", f"immediate 'infosent' (got {ev.brief()})")
        self.check_call_id(ev, call_id)
        ev = await h.wait_event("info", timeout=10, fail_on=("error", "hangup"))
        self.check_fields(ev, {"sender": self.uas_uri("info"), "type": "application/x-e2e-peer",
                               "content": "peer says hi\r\n"}, "from the peer's INFO")
        self.check_call_id(ev, call_id)
        for body in ({"request": "dtmf_info", "digit": "5"}, {"request": "dtmf_info", "digit": "#", "duration": 400}):
            ev = await h.request(body, timeout=10)
            check(ev.name == "dtmfsent", f"immediate 'dtmfsent' for {json.dumps(body)} (got {ev.brief()})")
            self.check_call_id(ev, call_id)
        await asyncio.sleep(0.3)   # the INFOs are answered before the BYE
        await self.end_call(h, uas, peer, call_id)
        res.notes.append("sipp: " + "; ".join(ln.strip() for ln in uas.read("logs").splitlines() if "INFO " in ln))
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "infosent", "info",
                                 "dtmfsent", "dtmfsent", "hangingup", "hangup(200 to BYE)"])

    # --- 31: MESSAGE both ways inside a call --------------------------------------------
    async def s31_message_in_dialog(self, res) -> None:
        h = self.master
        uas = await self.sipp("s31-uas-msg", "msg_uas_message.xml", UAS_PORT, UAS_MP).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri("msg"))
        ev = await h.request({"request": "message", "content": "hello bob"}, timeout=10)
        check(ev.name == "messagesent" and ev.result.get("call_id") == call_id,
              f"immediate 'messagesent' with the call's call_id {call_id} (got {json.dumps(ev.data, sort_keys=True)})")
        self.check_call_id(ev, call_id)
        ev = await h.wait_event("messagedelivery", timeout=10, fail_on=("error", "hangup"))
        self.check_fields(ev, {"code": 202, "reason": "Accepted"}, "the peer's answer")
        self.check_call_id(ev, call_id)
        ev = await h.wait_event("message", timeout=10, fail_on=("error", "hangup"))
        self.check_fields(ev, {"sender": self.uas_uri("msg"), "content": "hello alice\r\n",
                               "content_type": "text/plain"}, "from the peer's MESSAGE")
        self.check_call_id(ev, call_id)
        await self.end_call(h, uas, peer, call_id)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "messagesent",
                                 "messagedelivery(202 Accepted)", "message", "hangingup", "hangup(200 to BYE)"])

    # --- 32: MESSAGE outside any dialog, digest challenge, messagedelivery ----------------
    async def s32_message_out_of_dialog(self, res) -> None:
        h = self.master
        uas = await self.sipp("s32-uas-ood", "msg_uas_ood_message.xml", UAS_PORT, UAS_MP,
                              sets={"password": self.lab.secret}).start()
        cid = f"s32-{os.getpid()}-msg"
        ev = await h.request({"request": "message", "uri": self.uas_uri("bob"), "content": "hello out of dialog",
                              "call_id": cid}, timeout=10)
        check(ev.name == "messagesent" and ev.result.get("call_id") == cid and "call_id" not in ev.data,
              f"immediate 'messagesent' with call_id {cid} in result only (got {json.dumps(ev.data, sort_keys=True)})")
        ev = await h.wait_event("messagedelivery", timeout=10, fail_on=("error",))
        self.check_fields(ev, {"code": 202, "reason": "Accepted"}, "after the 401 was answered")
        self.check_call_id(ev, cid)
        await uas.expect_ok(5, "(401 answered with the account's digest, then 202) ")
        sender = self.sipp_log(uas, r"MESSAGE from (.*?) user=")
        check("sip:alice@" in sender, f"the MESSAGE's From is the account ({sender})")
        res.notes.append(f"MESSAGE From: {sender}")
        self.expect_sequence(h, ["messagesent", "messagedelivery(202 Accepted)"])

    # --- 33: MESSAGE to the registered account -------------------------------------------
    async def s33_incoming_message(self, res) -> None:
        h = self.master
        hostport, user = self.contact_target()
        cid = f"s33-{os.getpid()}-in"
        uac = await self.sipp("s33-uac-msg", "msg_uac_message.xml", UAC_PORT, UAC_MP, remote=hostport, service=user,
                              cid=cid).start(False)
        ev = await h.wait_event("message", timeout=10, fail_on=("error",))
        self.check_fields(ev, {"sender": f"sip:sender@{self.lab.sip_ip}:{UAC_PORT}",
                               "content": "hello registered alice\r\n", "content_type": "text/plain"}, "from the UAC")
        check(ev.result.get("displayname") in ('"sipp sender"', "sipp sender"),
              f"'message' displayname {ev.result.get('displayname')!r}")
        check("call_id" not in ev.data, f"no top-level call_id outside a call (got {ev.data.get('call_id')})")
        await uac.expect_ok(5, "(200 to the MESSAGE) ")
        self.expect_sequence(h, ["message"])

    # --- 34: SUBSCRIBE -> 202 -> NOTIFY -> refresh -> unsubscribe -> NOTIFY terminated ----
    async def s34_subscribe(self, res) -> None:
        h = self.master
        uas = await self.sipp("s34-notifier", "msg_notifier.xml", UAS_PORT, UAS_MP).start()
        ev = await h.request({"request": "subscribe", "event": "message-summary", "to": self.uas_uri("mbox"),
                              "subscribe_ttl": SUBSCRIBE_TTL, "accept": "application/simple-message-summary"},
                             timeout=10)
        check(ev.name == "subscribing", f"immediate 'subscribing' (got {ev.brief()})")
        ev = await h.wait_event("subscribe_succeeded", timeout=10, fail_on=("error", "subscribe_failed"))
        t_ok = time.monotonic()
        self.check_fields(ev, {"code": 202, "reason": "Accepted", "expires": SUBSCRIBE_TTL}, "for the SUBSCRIBE")
        sub_cid = ev.data.get("call_id")
        check(bool(sub_cid), f"'subscribe_succeeded' carries the SUBSCRIBE's Call-ID ({sub_cid})")
        ev = await h.wait_event("notify", timeout=10, fail_on=("error",))
        self.check_fields(ev, {"notify": "message-summary", "substate": "active",
                               "content-type": "application/simple-message-summary",
                               "content": "Messages-Waiting: yes\r\n"}, "for the first NOTIFY")
        self.check_call_id(ev, sub_cid)
        ev = await h.wait_event("subscribe_succeeded", timeout=SUBSCRIBE_TTL + 2, fail_on=("error", "subscribe_failed"))
        took = time.monotonic() - t_ok
        check(took < SUBSCRIBE_TTL, f"the refresh was answered {took:.1f} s after the first 202, before the "
                                    f"{SUBSCRIBE_TTL} s subscription expired")
        self.check_call_id(ev, sub_cid)
        res.notes.append(f"refresh {took:.1f} s after the 202 (subscribe_ttl {SUBSCRIBE_TTL})")
        ev = await h.request({"request": "unsubscribe", "event": "message-summary"}, timeout=10)
        check(ev.name == "unsubscribing", f"immediate 'unsubscribing' (got {ev.brief()})")
        ev = await h.wait_event("subscribe_succeeded", timeout=10, fail_on=("error", "subscribe_failed"))
        self.check_fields(ev, {"code": 200, "reason": "OK", "expires": 0}, "for the un-SUBSCRIBE (as stock)")
        ev = await h.wait_event("notify", timeout=10, fail_on=("error",))
        self.check_fields(ev, {"notify": "message-summary", "substate": "terminated",
                               "content": "Messages-Waiting: no\r\n"}, "for the final NOTIFY")
        self.check_call_id(ev, sub_cid)
        await uas.expect_ok(5, "(SUBSCRIBE, NOTIFY, refresh, Expires 0, NOTIFY terminated) ")
        self.expect_sequence(h, ["subscribing", "subscribe_succeeded(202 Accepted)", "notify",
                                 "subscribe_succeeded(202 Accepted)", "unsubscribing", "subscribe_succeeded(200 OK)",
                                 "notify"])

    SCENARIOS: list[tuple[int, str, str]] = [
        (30, "in a call: INFO both ways, dtmf_info (default and 400 ms) on the wire", "s30_info"),
        (31, "in a call: MESSAGE both ways, messagedelivery 202", "s31_message_in_dialog"),
        (32, "MESSAGE out of dialog: 401 answered with the account's digest, messagedelivery 202",
         "s32_message_out_of_dialog"),
        (33, "incoming MESSAGE out of dialog to the registered account", "s33_incoming_message"),
        (34, "SUBSCRIBE -> 202 -> NOTIFY -> refresh before expiry -> unsubscribe -> NOTIFY terminated",
         "s34_subscribe"),
    ]
