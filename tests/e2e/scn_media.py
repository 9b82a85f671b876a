"""Plugin part 2 scenarios: RFC 2833 DTMF detection, keyframe, rtp_forward (ids 50-59).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...).

The SIP peer's RTP is crafted by tests/e2e/media_rtp.py inside the peers' namespace (sent
to the relay address and port the plugin offered in its INVITE), and forwarded copies are
received there by the same script. keyframe and rtp_forward are HEAD-only requests and
RFC 2833 detection is HEAD-only behaviour: against Janus 1.1.2's stock plugin the
scenarios check the 1.1.2 answers instead (442, no dtmf event)."""

from __future__ import annotations

import asyncio
import json
import os
import re

from e2e_check import CheckFailed, check, say
from janus_client import JanusError, http_request

RTP_TOOL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "media_rtp.py")
FWD_PEER_PORT, FWD_USER_PORT, FWD_SRTP_PORT = 7100, 7102, 7104   # forwarder listeners in the peers' namespace
SRTP_KEY = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"   # base64 of 30 bytes: AES_CM_128 key + salt
UAS_PORT, UAS_MP = 5070, 6000               # as sip_scenarios


class MediaScenarios:
    def stock(self) -> bool:
        return self.args.plugin_label == "stock"

    async def ns_py(self, *args: str, timeout: float = 20.0) -> dict:
        """media_rtp.py in the peers' namespace; its one JSON line."""
        p = await asyncio.create_subprocess_exec("ip", "netns", "exec", self.lab.ns, "/usr/bin/python3", RTP_TOOL,
                                                 *args, stdout=asyncio.subprocess.PIPE,
                                                 stderr=asyncio.subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(p.communicate(), timeout)
        except asyncio.TimeoutError:
            p.kill()
            await p.wait()
            raise CheckFailed(f"media_rtp.py {args[0]} did not finish in {timeout:.0f} s")
        if p.returncode != 0:
            raise CheckFailed(f"media_rtp.py {args[0]} exit {p.returncode}: {err.decode(errors='replace')[-300:]}")
        return json.loads(out.decode().strip().splitlines()[-1])

    @staticmethod
    def relay_target(uas) -> tuple[str, int]:
        """Where the plugin wants the peer's RTP: c= and m=audio of the INVITE sipp received."""
        text = uas.read("messages")
        i = text.find("INVITE sip:")
        c = re.search(r"c=IN IP4 (\S+)", text[i:]) if i >= 0 else None
        m = re.search(r"m=audio (\d+)", text[i:]) if i >= 0 else None
        if not c or not m:
            raise CheckFailed("no c=/m=audio in the INVITE sipp received")
        return c.group(1), int(m.group(1))

    async def call_dtmf_uas(self, name: str):
        h = self.master
        uas = await self.sipp(name, "media_uas_dtmf.xml", UAS_PORT, UAS_MP).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri("dtmf"))
        return h, uas, peer, call_id

    async def finish(self, h, uas, peer, call_id) -> None:
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)

    async def head_only(self, h, body: dict) -> dict | None:
        """The request's result event (rtpgate), or None after checking 1.1.2's 442 (stock)."""
        try:
            ev = await h.request(body, timeout=10)
        except JanusError as e:
            if self.stock() and "plugin error 442" in str(e):
                check(True, f"Janus 1.1.2: {body['request']} is unknown (442)")
                return None
            raise CheckFailed(f"{body['request']}: {e}")
        check(not self.stock(), f"{body['request']} answered {ev.name}")
        return ev

    # --- 50: RFC 2833 from the peer -> one dtmf event per digit ------------------------
    async def s50_dtmf(self, res) -> None:
        h, uas, peer, call_id = await self.call_dtmf_uas("s50-uas")
        ip, port = self.relay_target(uas)
        digits = "1,5,#,D"
        sent = await self.ns_py("send", "--to", f"{ip}:{port}", "--pcmu", "5", "--dtmf", digits)
        res.notes.append(f"sent {sent['sent']} RTP packets to {ip}:{port} (digits {digits}, 3 end packets each)")
        if self.stock():
            await asyncio.sleep(1.0)
            got = [e for e in self.plugin_events(h) if e.name == "dtmf"]
            check(not got, f"Janus 1.1.2: no RFC 2833 detection, no dtmf event (got {len(got)})")
        else:
            for d in sent["digits"]:
                ev = await h.wait_event("dtmf", timeout=5, fail_on=("error", "hangup"))
                r = ev.result
                check(r.get("signal") == d["signal"] and r.get("duration") == d["duration"]
                      and r.get("sender") == self.uas_uri("dtmf"),
                      f"dtmf {json.dumps(r, sort_keys=True)} (want signal {d['signal']}, duration {d['duration']})")
                self.check_call_id(ev, call_id)
            await asyncio.sleep(0.5)
            extra = [e for e in self.plugin_events(h) if e.name == "dtmf"]
            check(len(extra) == len(sent["digits"]),
                  f"exactly one dtmf event per digit ({len(extra)} for {len(sent['digits'])})")
            ps = await self.plugin_specific(h)
            audio = ps.get("rtpgate", {}).get("audio", {})
            check(audio.get("dtmf_events") == len(sent["digits"]) and audio.get("relayed_rtp", 0) >= sent["sent"],
                  f"query_session: dtmf_events {audio.get('dtmf_events')}, relayed_rtp {audio.get('relayed_rtp')} "
                  f">= {sent['sent']} sent (the events are relayed to the browser too)")
            res.notes.append(f"dtmf events {len(extra)}, relayed_rtp {audio.get('relayed_rtp')}")
        await self.finish(h, uas, peer, call_id)
        dtmf = [] if self.stock() else ["dtmf"] * len(sent["digits"])
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", *dtmf,
                                 "hangingup", "hangup(200 to BYE)"])

    # --- 51: rtp_forward of the peer's and the browser's audio ---------------------------
    async def s51_rtp_forward(self, res) -> None:
        h, uas, peer, call_id = await self.call_dtmf_uas("s51-uas")
        ip, port = self.relay_target(uas)
        sip_ip = self.lab.sip_ip
        listen_peer = asyncio.ensure_future(self.ns_py("listen", "--ip", sip_ip, "--port", str(FWD_PEER_PORT),
                                                       "--seconds", "5"))
        listen_user = asyncio.ensure_future(self.ns_py("listen", "--ip", sip_ip, "--port", str(FWD_USER_PORT),
                                                       "--seconds", "5"))
        listen_srtp = asyncio.ensure_future(self.ns_py("listen", "--ip", sip_ip, "--port", str(FWD_SRTP_PORT),
                                                       "--seconds", "5", "--srtp-key", SRTP_KEY))
        await asyncio.sleep(0.5)   # all bound
        ev = await self.head_only(h, {"request": "rtp_forward", "streams": [
            {"type": "peer_audio", "host": sip_ip, "port": FWD_PEER_PORT, "ssrc": 4660, "pt": 99},
            {"type": "audio", "host": sip_ip, "port": FWD_USER_PORT, "pt": 98},
            {"type": "peer_audio", "host": sip_ip, "port": FWD_SRTP_PORT, "srtp_suite": 80, "srtp_crypto": SRTP_KEY}]})
        if ev is None:
            for t in (listen_peer, listen_user, listen_srtp):
                t.cancel()
            await asyncio.gather(listen_peer, listen_user, listen_srtp, return_exceptions=True)
            await self.finish(h, uas, peer, call_id)
            self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer",
                                     "error(442 Unknown request (rtp_forward))", "hangingup", "hangup(200 to BYE)"])
            return
        fwds = ev.result.get("forwarders", [])
        check(len(fwds) == 3 and [f.get("type") for f in fwds] == ["peer_audio", "audio", "peer_audio"]
              and all(f.get("media") == "audio" and f.get("host") == sip_ip for f in fwds)
              and fwds[2].get("srtp") is True,
              f"rtp_forward result with 3 summaries ({json.dumps(fwds, sort_keys=True)})")
        self.check_call_id(ev, call_id)
        peer_id = fwds[0]["stream_id"]
        n1 = await self.ns_py("send", "--to", f"{ip}:{port}", "--pcmu", "40")
        ev = await h.request({"request": "stop_rtp_forward", "stream_id": peer_id}, timeout=10)
        check(ev.name == "stop_rtp_forward" and ev.result.get("stream_id") == peer_id,
              f"stop_rtp_forward {peer_id} answered (got {ev.brief()})")
        ev = await h.request({"request": "listforwarders"}, timeout=10)
        left = ev.result.get("rtp_forwarders", [])
        check(len(left) == 2 and sorted(f.get("type") for f in left) == ["audio", "peer_audio"],
              f"listforwarders: the audio and the SRTP one are left ({left})")
        n2 = await self.ns_py("send", "--to", f"{ip}:{port}", "--pcmu", "20")
        ps = await self.plugin_specific(h)
        got_peer, got_user, got_srtp = await asyncio.gather(listen_peer, listen_user, listen_srtp)
        check(got_peer["count"] == n1["sent"] and got_peer["ssrcs"] == [4660] and got_peer["pts"] == [99],
              f"peer_audio forwarder: {got_peer['count']} copies of the {n1['sent']} sent while it existed "
              f"(none of the {n2['sent']} after stop_rtp_forward), SSRC {got_peer['ssrcs']}, PT {got_peer['pts']}")
        check(got_user["count"] > 0 and got_user["pts"] == [98],
              f"audio forwarder: {got_user['count']} copies of the browser's audio, PT {got_user['pts']}")
        total = n1["sent"] + n2["sent"]
        check(got_srtp["count"] == total and got_srtp["lens"] == [12 + 160 + 10]
              and got_srtp["decrypted"] == total and got_srtp["plain_lens"] == [12 + 160],
              f"SRTP peer_audio forwarder: {got_srtp['count']} copies of {total}, each {got_srtp['lens']} bytes "
              f"(172-byte RTP + 10-byte HMAC-SHA1-80 tag); libsrtp authenticated and decrypted "
              f"{got_srtp.get('decrypted')} to {got_srtp.get('plain_lens')} bytes")
        fq = ps.get("rtpgate", {}).get("rtp_forwarders", [])
        res.notes.append(f"peer_audio copies {got_peer['count']}/{n1['sent']} (+{n2['sent']} after stop: 0), "
                         f"audio copies {got_user['count']} in 5 s, SRTP copies {got_srtp['count']}/{total} "
                         f"(libsrtp decrypted {got_srtp.get('decrypted')}), "
                         f"query_session {json.dumps(fq)}")
        await self.finish(h, uas, peer, call_id)
        ev = await h.request({"request": "listforwarders"}, timeout=10)
        check(ev.result.get("rtp_forwarders") == [], "forwarders went with the call")
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "rtp_forward",
                                 "stop_rtp_forward", "forwarders", "hangingup", "hangup(200 to BYE)", "forwarders"])

    # --- 52: keyframe, query_session and the Admin API ------------------------------------
    async def s52_keyframe_admin(self, res) -> None:
        h, uas, peer, call_id = await self.call_dtmf_uas("s52-uas")
        ev = await self.head_only(h, {"request": "keyframe", "user": True, "peer": True})
        if ev is not None:
            check(ev.name == "keyframesent", f"keyframe -> keyframesent (got {ev.brief()})")
        ans = await http_request(self.lab.admin, "POST", {
            "janus": "message_plugin", "transaction": "media-admin", "admin_secret": self.lab.admin_secret,
            "plugin": "janus.plugin.sip", "request": {"request": "stats"}}, 5)
        if self.stock():
            check(ans.get("janus") == "error", f"Janus 1.1.2's SIP plugin has no admin messages ({ans.get('error')})")
        else:
            r = ans.get("response", {})
            calls = r.get("calls", [])
            check(r.get("rtpgate") == "stats" and r.get("dataplane", {}).get("available") is True
                  and any(c.get("call_id") == call_id for c in calls),
                  f"message_plugin stats: data plane available, our call listed ({len(calls)} call(s))")
            # The data plane's own counters of the audio RTP flow (published by its housekeeping).
            ip, port = self.relay_target(uas)
            sent = await self.ns_py("send", "--to", f"{ip}:{port}", "--pcmu", "10")
            a: dict = {}
            for _ in range(30):
                a = (await self.plugin_specific(h)).get("rtpgate", {}).get("audio", {})
                if a.get("rtp_flow_counters", {}).get("rx_pkts", 0) >= sent["sent"]:
                    break
                await asyncio.sleep(0.1)
            c = a.get("rtp_flow_counters", {})
            check(isinstance(a.get("rtp_flow"), int) and isinstance(a.get("rtcp_flow"), int)
                  and c.get("rx_pkts") == sent["sent"] and c.get("tx_pkts") == sent["sent"],
                  f"query_session: audio rtp_flow {a.get('rtp_flow')} / rtcp_flow {a.get('rtcp_flow')}, data-plane "
                  f"rx_pkts {c.get('rx_pkts')} tx_pkts (to control) {c.get('tx_pkts')} for {sent['sent']} sent")
            res.notes.append(f"stats dataplane counters {json.dumps(r.get('dataplane', {}).get('counters'))}")
        await self.finish(h, uas, peer, call_id)
        kf = ["error(442 Unknown request (keyframe))"] if self.stock() else ["keyframesent"]
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", *kf,
                                 "hangingup", "hangup(200 to BYE)"])

    SCENARIOS: list[tuple[int, str, str]] = [
        (50, "RFC 2833 DTMF from the peer -> one dtmf event per digit", "s50_dtmf"),
        (51, "rtp_forward peer_audio + audio through the data plane; stop_rtp_forward", "s51_rtp_forward"),
        (52, "keyframe; query_session flows; Admin API stats", "s52_keyframe_admin"),
    ]
