"""SDES-SRTP scenarios of the plugin's offers (ids 60-69): what the SIP side sees of
`srtp`/`srtp_profile` and what the plugin does with the peer's answer (spec §4.3, §9.1-9.3).
A mixin of incall_scenarios.InCallSuite (sipp UAS tests/sip/srtp_uas_answer.xml).

  60  sdes_mandatory, the answer has no a=crypto        -> the plugin sends BYE (spec §9.3)
  61  sdes_mandatory, the answer's a=crypto has another tag than ours -> BYE
  62  sdes_mandatory, the answer's a=crypto has an unsupported profile under our tag -> BYE
  63  sdes_optional, the answer has no a=crypto -> plain RTP call, tone echoed, our BYE
  64  baresip (srtp-mand, answers) called with sdes_mandatory: SRTP both ways, tones checked
      at both ends (the browser hears baresip's 600 Hz, baresip decodes our 1 kHz)
  65  baresip (srtp, RTP/AVP + a=crypto) calls us: incomingcall srtp sdes_optional, accept,
      SDES answered without asking, tones both ways
  66  baresip (srtp) called with sdes_optional + AEAD_AES_256_GCM: the GCM suite,
      tones both ways
The audio checks need the data plane's SRTP (rtpgate) or libsrtp (stock) on the relay.
"""

from __future__ import annotations

import asyncio
import os
import re

from baresip_peer import Baresip
from e2e_check import check, say
from janus_client import JanusHandle
from tone import ToneReceiver
from sip_scenarios import STOCK_KNOWN, UAS_MP, UAS_PORT, ev_brief

# Well-formed inline keys for the peer's answers (30 and 47 bytes once decoded).
# Stock 1.1.2 protects toward the peer whenever it offered a key (relay thread: `if
# has_srtp_local` -> srtp_protect), also when the answer had no a=crypto: the plain peer
# gets SRTP and echoes it, the browser gets it unprotected, no tone (spec §9.3: plain RTP).
STOCK_KNOWN[63] = "sdes_optional answered without a=crypto: 1.1.2 still sends SRTP (no tone)"

# baresip's SIP and RTP ports in the peers' namespace, and the sine it plays.
BARESIP_PORT, BARESIP_RTP = 5064, 6400
BARESIP_HZ = 600

KEY30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"
KEY47 = "YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXoxMjM0NTY3ODkwYWJjZGVmZ2hpams="


class SrtpScenarios:
    SCENARIOS: list[tuple[int, str, str]] = [
        (60, "srtp sdes_mandatory, answer without a=crypto -> BYE", "s60_mandatory_no_crypto"),
        (61, "srtp sdes_mandatory, answer with another tag -> BYE", "s61_mandatory_wrong_tag"),
        (62, "srtp sdes_mandatory, answer with an unsupported profile -> BYE", "s62_mandatory_bad_profile"),
        (64, "srtp: we call baresip (srtp-mand), tones both ways", "s64_call_baresip"),
        (65, "srtp: baresip (srtp) calls us, incomingcall srtp, tones both ways", "s65_baresip_calls"),
        (66, "srtp: AEAD_AES_256_GCM with baresip, tones both ways", "s66_baresip_gcm"),
        # Last: after it, the stock Janus was once seen dying during the next call (1.1.2 has
        # just sent SRTP to a plain peer, whose ICMP closes its RTCP socket).
        (63, "srtp sdes_optional, answer without a=crypto -> plain call", "s63_optional_plain"),
    ]

    async def srtp_offer_checked(self, uas, want_proto: str, profile: str) -> None:
        """The offer that reached the UAS: proto and one a=crypto line, tag 1, our profile."""
        m = re.search(r"OFFER proto (\S+) crypto (.*?) line ", uas.read("logs"))
        check(m is not None, f"the UAS logged the offer ({uas.tail('logs')})")
        proto, crypto = m.group(1), m.group(2).strip()
        check(proto == want_proto, f"offer m=audio proto {want_proto} (got {proto})")
        ok = re.fullmatch(rf"a=crypto:1 {profile} inline:[A-Za-z0-9+/]{{38,}}=*", crypto) is not None
        check(ok, f"offer a=crypto:1 {profile} inline:<key> (got {crypto[:40]}...)")

    async def srtp_bye_case(self, res, name: str, proto: str, crypto: str) -> None:
        h: JanusHandle = self.master
        self.mark(h)
        uas = await self.sipp(name, "srtp_uas_answer.xml", UAS_PORT, UAS_MP,
                              sets={"proto": proto, "crypto": crypto}).start()
        peer = self.peer()
        ev = await h.request({"request": "call", "uri": self.uas_uri("srtp"), "srtp": "sdes_mandatory"},
                             jsep=await peer.offer(), timeout=10)
        check(ev.name == "calling", f"immediate 'calling' (got {ev_brief(ev)})")
        call_id = ev.data.get("call_id")
        ev = await h.wait_event("hangup", timeout=10, fail_on=("error",))
        self.check_call_id(ev, call_id)
        res.notes.append(f"hangup: {ev_brief(ev)}")
        await uas.expect_ok(5, "(200 answered, then our ACK and BYE) ")
        check(any(ln.startswith("< BYE ") for ln in uas.sip_lines()), "the plugin sent BYE after the 2xx")
        await self.srtp_offer_checked(uas, "RTP/SAVP", "AES_CM_128_HMAC_SHA1_80")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        res.events["master"] = [ev_brief(e) for e in self.plugin_events(h)]
        # As 1.1.2: no `accepted` for a call torn down on its answer; the hangup is our BYE's.
        self.expect_sequence(h, ["calling", "hangup(200 to BYE)"])

    async def s60_mandatory_no_crypto(self, res) -> None:
        await self.srtp_bye_case(res, "s60-uas", "RTP/SAVP", "")

    async def s61_mandatory_wrong_tag(self, res) -> None:
        await self.srtp_bye_case(res, "s61-uas", "RTP/SAVP", f"2 AES_CM_128_HMAC_SHA1_80 inline:{KEY30}")

    async def s62_mandatory_bad_profile(self, res) -> None:
        await self.srtp_bye_case(res, "s62-uas", "RTP/SAVP", f"1 AES_256_CM_HMAC_SHA1_80 inline:{KEY47}")

    async def s63_optional_plain(self, res) -> None:
        h: JanusHandle = self.master
        self.mark(h)
        uas = await self.sipp("s63-uas", "srtp_uas_answer.xml", UAS_PORT, UAS_MP, echo=True,
                              sets={"proto": "RTP/AVP", "crypto": ""}).start()
        peer = self.peer()
        ev = await h.request({"request": "call", "uri": self.uas_uri("srtp"), "srtp": "sdes_optional",
                              "srtp_profile": "AES_CM_128_HMAC_SHA1_32"}, jsep=await peer.offer(), timeout=10)
        check(ev.name == "calling", f"immediate 'calling' (got {ev_brief(ev)})")
        call_id = ev.data.get("call_id")
        ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        check(ev.jsep is not None, "'accepted' with the peer's plain answer as jsep")
        ps = await self.plugin_specific(h)
        flags = {k: ps.get(k) for k in ("srtp-required", "sdes-local-audio", "sdes-remote-audio")}
        check(flags == {"srtp-required": "no", "sdes-local-audio": "yes", "sdes-remote-audio": "no"},
              f"query_session: our key offered, none from the peer, not required ({flags})")
        await peer.set_answer(ev.jsep["sdp"])
        await peer.connected()
        res.notes.append(f"tone {await peer.tone('plain RTP echoed by the UAS')}")
        await self.local_hangup(h, call_id)
        await uas.expect_ok(5)
        await self.srtp_offer_checked(uas, "RTP/AVP", "AES_CM_128_HMAC_SHA1_32")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)
        say("  optional SDES answered without crypto: plain RTP both ways")

    # --- baresip: real SDES-SRTP media ----------------------------------------------------
    def baresip(self, name: str, mediaenc: str, dial: str | None = None) -> Baresip:
        b = Baresip(self.lab.ns, self.lab.sip_ip, self.lab.sipp_dir, name, port=BARESIP_PORT, rtp_min=BARESIP_RTP,
                    mediaenc=mediaenc, sine_hz=BARESIP_HZ, dial=dial)
        self.baresips = getattr(self, "baresips", []) + [b]
        return b

    async def peer_hears(self, peer, hz: float, what: str) -> str:
        """The browser's remote track carries HZ (not its own tone: the far end's)."""
        if peer.track is None:
            peer.track = await asyncio.wait_for(peer.tracks.get(), 8)
        rx = ToneReceiver(peer.track, warmup_frames=10)
        rx.start()
        got = await rx.wait_frames(50, 8.0)
        await rx.stop()
        check(got, f"{what}: 50 frames of audio within 8 s (got {rx.analysed_frames})")
        rep = rx.report()
        check(rep.ok(hz, 30.0, 0.5), f"{what}: {hz:.0f} Hz ({rep})")
        return f"{rep.peak_hz:.0f} Hz {100 * rep.tone_ratio:.0f}%"

    async def srtp_flags(self, h: JanusHandle, required: str) -> None:
        ps = await self.plugin_specific(h)
        flags = {k: ps.get(k) for k in ("srtp-required", "sdes-local-audio", "sdes-remote-audio")}
        want = {"srtp-required": required, "sdes-local-audio": "yes", "sdes-remote-audio": "yes"}
        check(flags == want, f"query_session SDES flags {flags}")

    async def srtp_media_both_ways(self, res, h: JanusHandle, peer, b: Baresip, call_id: str) -> None:
        await peer.connected()
        res.notes.append(f"browser hears {await self.peer_hears(peer, BARESIP_HZ, 'baresip -> browser (SRTP in)')}")
        await asyncio.sleep(1.0)   # baresip records our tone meanwhile
        await self.local_hangup(h, call_id)
        check(await b.wait_log("terminated", 5), f"baresip saw the call end ({b.tail(2)})")
        await b.stop()   # its recordings are complete WAV files once it has exited
        res.notes.append(f"baresip decoded {b.decoded_tone(self.args.tone_hz)}")
        srtp = b.srtp_line()
        check(srtp is not None, f"baresip: {srtp}")
        res.notes.append(srtp or "")
        await self.end_webrtc(h, peer)
        await self.wait_idle(h)

    async def s64_call_baresip(self, res) -> None:
        await self.srtp_baresip_out(res, "s64-baresip", "srtp-mand", "sdes_mandatory", "AES_CM_128_HMAC_SHA1_80",
                                    "RTP/SAVP")

    async def s66_baresip_gcm(self, res) -> None:
        await self.srtp_baresip_out(res, "s66-baresip", "srtp", "sdes_optional", "AEAD_AES_256_GCM", "RTP/AVP")

    async def srtp_baresip_out(self, res, name: str, mediaenc: str, srtp: str, profile: str, proto: str) -> None:
        h: JanusHandle = self.master
        self.mark(h)
        b = await self.baresip(name, mediaenc).start()
        try:
            await self.srtp_baresip_out_call(res, h, b, srtp, profile, proto)
        finally:
            await b.stop()

    async def srtp_baresip_out_call(self, res, h: JanusHandle, b: Baresip, srtp: str, profile: str, proto: str) -> None:
        peer = self.peer()
        ev = await h.request({"request": "call", "uri": b.uri, "srtp": srtp, "srtp_profile": profile},
                             jsep=await peer.offer(), timeout=10)
        check(ev.name == "calling", f"immediate 'calling' (got {ev_brief(ev)})")
        call_id = ev.data.get("call_id")
        ev = await h.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        check(ev.jsep is not None, "'accepted' with jsep (Janus turns the SIP answer into a WebRTC one)")
        sdp = ev.jsep["sdp"]
        await self.srtp_flags(h, "yes" if srtp == "sdes_mandatory" else "no")
        await peer.set_answer(sdp)
        await self.srtp_media_both_ways(res, h, peer, b, call_id)
        check(profile in (b.srtp_line() or ""), f"baresip used {profile}")
        # baresip answers within milliseconds: the `calling` result may be delivered after the
        # SIP events (both plugins), so it is checked apart from their order.
        got = [ev_brief(e) for e in self.plugin_events(h)]
        check(got.count("calling") == 1, f"one 'calling' ({' -> '.join(got)})")
        rest = [e for e in got if e != "calling"]
        want = ["ringing", "proceeding(180)", "accepted+jsep:answer", "hangingup", "hangup(200 to BYE)"]
        check(rest == want, f"events {' -> '.join(want)} (got {' -> '.join(rest)})")

    async def s65_baresip_calls(self, res) -> None:
        h: JanusHandle = self.master
        self.mark(h)
        hostport, user = self.contact_target()
        await self.settle()
        b = await self.baresip("s65-baresip", "srtp", dial=f"sip:{user}@{hostport}").start()
        try:
            await self.srtp_baresip_in_call(res, h, b)
        finally:
            await b.stop()

    async def srtp_baresip_in_call(self, res, h: JanusHandle, b: Baresip) -> None:
        ev = await h.wait_event("incomingcall", timeout=10, fail_on=("error", "hangup", "missed_call"))
        check(ev.result.get("srtp") == "sdes_optional", f"incomingcall srtp sdes_optional (got {ev.result.get('srtp')})")
        call_id = ev.data.get("call_id")
        check(ev.jsep is not None, "incomingcall with the offer as jsep (Janus makes it a WebRTC one)")
        peer = self.peer()
        answer = await peer.answer_to(ev.jsep["sdp"])
        ev = await h.request({"request": "accept"}, jsep=answer, timeout=10)
        check(ev.name == "accepted", f"immediate 'accepted' (got {ev_brief(ev)})")
        await self.srtp_flags(h, "no")
        await self.srtp_media_both_ways(res, h, peer, b, call_id)
        self.expect_sequence(h, ["incomingcall+jsep:offer", "accepted", "hangingup", "hangup(200 to BYE)"])
