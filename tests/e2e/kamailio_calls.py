#!/usr/bin/python3
"""Plugin accounts behind a real SIP proxy (issues 6 and 9): three accounts of one Janus with
libjanus_rtpgate.so register with digest auth at Debian's kamailio (registrar + record-routing
proxy, run by kamailio_calls.sh in the SIP peers' namespace; a wrong password is refused), and
a baresip UA registers there as "echo" (digest auth, baresip's echo module answers and sends
the caller's audio back), then

  0. alice calls echo through kamailio and hears her own 1 kHz tone come back through the
     data plane and baresip; alice hangs up; alice calls again and this time baresip hangs
     up (ctrl_tcp): alice gets `hangup`;
  1. alice calls bob through kamailio: both SIP legs get relay streams of the same
     rtpgate-dataplane (its address, two relay ports and flows), and each browser hears the
     other's tone (alice 1 kHz, bob 600 Hz): the media crosses the data plane from one leg's
     relay port to the other's (turned around inside the data plane: hairpin_pkts);
  2. alice sends bob an out-of-dialog MESSAGE: bob gets `message`, alice `messagedelivery` 200;
  3. alice transfers bob to carol (blind): REFER through kamailio, bob's `transfer` event, bob's
     helper calls carol with the refer_id, carol accepts (two concurrent calls with media on
     bob's account: the helper's and the master's, each checked by its tone), alice gets the sipfrag NOTIFYs as
     `notify` events up to "SIP/2.0 200 OK" (subscription terminated), hangs up.

    kamailio_calls.py --janus URL --ice-ip IP --sip-ip IP --relay-ip IP --port-min N --port-max N
                      --ns NS --work DIR
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from baresip_peer import Baresip
from e2e_check import CheckFailed, check, say
from first_call import restrict_ice_to
from janus_client import Event, JanusError, JanusHandle, JanusSession, http_request
from webrtc_peer import Peer

PLUGIN = "janus.plugin.sip"




class Calls:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.ip = args.sip_ip
        self.session: JanusSession | None = None
        self.peers: list[Peer] = []
        self.echo: Baresip | None = None

    def uri(self, user: str) -> str:
        return f"sip:{user}@{self.ip}"

    def peer(self, send_hz: float, hear_hz: float) -> Peer:
        p = Peer(send_hz)   # sends send_hz ...
        p.tone_hz = hear_hz  # ... and checks that what comes back is the other side's tone
        self.peers.append(p)
        return p

    async def account(self, user: str, secret: str = "secret") -> tuple[JanusHandle, int]:
        h = await self.session.attach(PLUGIN)
        h.on_event = lambda ev, u=user: say(f"  <- {u}: {ev.brief()}")
        ev = await h.request({"request": "register", "username": self.uri(user), "secret": secret,
                              "proxy": f"sip:{self.ip}:5060"})
        check(ev.name == "registering", f"{user}: registering (got {ev.brief()})")
        ev = await h.wait_event("registered", timeout=10, fail_on=("error", "registration_failed"))
        check(ev.result.get("register_sent") is True, f"{user}: registered at kamailio")
        return h, ev.result["master_id"]

    async def relay_of(self, who: str, h: JanusHandle) -> dict:
        """The call's audio stream as the plugin reports it (Admin API query_session, `rtpgate`):
        relay address and port of the data plane, its flow ids and counters."""
        ans = await http_request(f"{self.args.admin}/{self.session.id}/{h.id}", "POST",
                                 {"janus": "handle_info", "transaction": "kam", "admin_secret": self.args.admin_secret}, 5)
        rg = ans.get("info", {}).get("plugin_specific", {}).get("rtpgate", {})
        audio = rg.get("audio", {})
        port = audio.get("rtp_port", 0)
        check(rg.get("relay_ip") == self.args.relay_ip and self.args.port_min <= port <= self.args.port_max
              and "rtp_flow" in audio,
              f"{who}: audio relayed by the data plane at {rg.get('relay_ip')}:{port}, flow {audio.get('rtp_flow')}")
        return audio

    async def connect(self, caller: JanusHandle, cpeer: Peer, callee: JanusHandle, epeer: Peer, uri: str,
                      extra: dict | None = None) -> tuple[Event, Event]:
        """caller calls uri; callee gets incomingcall and accepts; both PCs up. (incomingcall, accepted)."""
        body = {"request": "call", "uri": uri, **(extra or {})}
        ev = await caller.request(body, jsep=await cpeer.offer())
        check(ev.name == "calling", f"calling {uri} (got {ev.brief()})")
        inc = await callee.wait_event("incomingcall", timeout=10, fail_on=("error", "hangup", "missed_call"))
        check(inc.jsep is not None and inc.jsep.get("type") == "offer", "incomingcall with the SIP offer")
        ev = await callee.request({"request": "accept"}, jsep=await epeer.answer_to(inc.jsep["sdp"]))
        check(ev.name == "accepted", f"accept -> accepted (got {ev.brief()})")
        acc = await caller.wait_event("accepted", timeout=10, fail_on=("error", "hangup"))
        check(acc.jsep is not None and acc.jsep.get("type") == "answer", "accepted with the SIP answer")
        await cpeer.set_answer(acc.jsep["sdp"])
        await cpeer.connected()
        await epeer.connected()
        return inc, acc

    async def run(self) -> None:
        self.session = JanusSession(self.args.janus)
        await self.session.create()
        try:
            await self.steps()
        finally:
            for p in self.peers:
                await p.close()
            if self.echo is not None:
                await self.echo.stop()
            try:
                await self.session.destroy()
            except (JanusError, asyncio.TimeoutError, OSError):
                pass

    async def wrong_password(self) -> None:
        h = await self.session.attach(PLUGIN)
        ev = await h.request({"request": "register", "username": self.uri("mallory"), "secret": "wrong",
                              "proxy": f"sip:{self.ip}:5060"})
        check(ev.name == "registering", f"mallory: registering (got {ev.brief()})")
        ev = await h.wait_event("registration_failed", timeout=10, fail_on=("registered",))
        check(ev.result.get("code") in (401, 403, 904),   # 904: Sofia, a second challenge after our credentials
              f"mallory with a wrong password: registration_failed {ev.result.get('code')} {ev.result.get('reason')}")
        await h.detach()

    async def echo_calls(self, alice: JanusHandle) -> None:
        """Scenario 0: two calls from alice to the echoing baresip; each side hangs up once."""
        a = self.args
        self.echo = Baresip.echo(a.ns, self.ip, a.work, user="echo", secret="secret", registrar=self.ip,
                                 port=5080, rtp_min=7000)
        await self.echo.start()
        check(await self.echo.wait_log("200 OK", 10) or await self.echo.wait_log("registered", 1),
              f"baresip registered at kamailio as echo with digest auth ({self.echo.tail()})")
        for hangup_by in ("alice", "echo"):
            say(f"0. alice calls echo (baresip) through kamailio; {hangup_by} hangs up")
            p = self.peer(1000, 1000)
            ev = await alice.request({"request": "call", "uri": self.uri("echo")}, jsep=await p.offer())
            check(ev.name == "calling", f"calling echo (got {ev.brief()})")
            acc = await alice.wait_event("accepted", timeout=15, fail_on=("error", "hangup"))
            check(acc.jsep is not None and acc.jsep.get("type") == "answer", "accepted with baresip's answer")
            await p.set_answer(acc.jsep["sdp"])
            await p.connected()
            await p.tone("alice hears her own 1 kHz tone echoed by baresip through the data plane")
            r = await self.relay_of("alice's leg", alice)
            check(r.get("to_peer_pkts", 0) > 0 and r.get("relayed_rtp", 0) > 0,
                  f"the audio crossed the data plane both ways ({r.get('to_peer_pkts')} packets to echo, "
                  f"{r.get('relayed_rtp')} from echo to the browser)")
            if hangup_by == "alice":
                ev = await alice.request({"request": "hangup"})
                check(ev.name == "hangingup", f"alice: hangingup (got {ev.brief()})")
                ev = await alice.wait_event("hangup", timeout=10)
            else:
                await self.echo.command("hangup")
                ev = await alice.wait_event("hangup", timeout=10, fail_on=("error",))
                check("BYE" in str(ev.result.get("reason", "")) or ev.result.get("code") == 200,
                      f"alice: the peer's BYE ended the call (got {ev.brief()})")
            await p.close()
            self.peers.remove(p)

    async def steps(self) -> None:
        say("a wrong password is refused by kamailio's digest check")
        await self.wrong_password()
        say("register alice, bob and carol at kamailio (digest auth)")
        alice, _ = await self.account("alice")
        await self.echo_calls(alice)
        bob, bob_master = await self.account("bob")
        carol, _ = await self.account("carol")

        say("1. alice calls bob through kamailio")
        pa, pb = self.peer(1000, 600), self.peer(600, 1000)
        inc, _ = await self.connect(alice, pa, bob, pb, self.uri("bob"))
        check(inc.result.get("username") == self.uri("alice"), f"bob: the caller is alice ({inc.result.get('username')})")
        # Each leg's peer is the other leg's relay port on the same data plane address: the
        # data plane turns the packets around (hairpin), so each browser hears the other.
        await pa.tone("alice hears bob (600 Hz) through both legs of the data plane")
        await pb.tone("bob hears alice (1 kHz) through both legs of the data plane")
        ra, rb = await self.relay_of("alice's leg", alice), await self.relay_of("bob's leg", bob)
        check(ra["rtp_port"] != rb["rtp_port"] and ra["rtp_flow"] != rb["rtp_flow"],
              "two legs, two relay ports and flows of the same data plane")
        check(ra.get("to_peer_pkts", 0) > 0 and rb.get("to_peer_pkts", 0) > 0,
              f"both legs sent media to their SIP peer through the data plane "
              f"({ra.get('to_peer_pkts')} / {rb.get('to_peer_pkts')} packets)")

        say("2. MESSAGE alice -> bob (out of dialog, through kamailio)")
        ev = await alice.request({"request": "message", "uri": self.uri("bob"), "content": "hello bob"})
        check(ev.name == "messagesent", f"alice: messagesent (got {ev.brief()})")
        msg = await bob.wait_event("message", timeout=10)
        check(msg.result.get("content") == "hello bob" and msg.result.get("sender") == self.uri("alice"),
              f"bob: message 'hello bob' from alice (got {msg.result})")
        dl = await alice.wait_event("messagedelivery", timeout=10)
        check(dl.result.get("code") == 200, f"alice: messagedelivery 200 (got {dl.brief()})")

        say("3. alice transfers bob to carol (blind)")
        ev = await alice.request({"request": "transfer", "uri": self.uri("carol")})
        check(ev.name == "transferring", f"alice: transferring (got {ev.brief()})")
        tr = await bob.wait_event("transfer", timeout=10, fail_on=("error", "hangup"))
        refer_id = tr.result.get("refer_id")
        by = f"<{self.uri('alice')}>"
        check(isinstance(refer_id, int) and refer_id > 0 and tr.result.get("refer_to") == self.uri("carol")
              and tr.result.get("referred_by") == by,
              f"bob: transfer to {self.uri('carol')} with a refer_id, referred by {by} (got {tr.result})")
        bh = await self.session.attach(PLUGIN)
        bh.on_event = lambda ev: say(f"  <- bob's helper: {ev.brief()}")
        ev = await bh.request({"request": "register", "type": "helper", "username": self.uri("bob"),
                               "master_id": bob_master})
        check(ev.name == "registered", f"bob's helper registered (got {ev.brief()})")
        ph, pc = self.peer(1000, 600), self.peer(600, 1000)
        inc, _ = await self.connect(bh, ph, carol, pc, tr.result["refer_to"], {"refer_id": refer_id})
        check(inc.result.get("referred_by") == by and inc.result.get("username") == self.uri("bob"),
              f"carol: incomingcall from bob, referred by {by} (got {inc.result})")
        # Two concurrent calls on bob's account: the helper's call to carol and the master's
        # call with alice (up until alice hangs up after the final NOTIFY), both with media.
        await ph.tone("bob's helper hears carol (600 Hz)")
        await pc.tone("carol hears bob's helper (1 kHz)")
        await pb.tone("meanwhile bob's master call still carries alice (1 kHz)")
        frags = []
        while not frags or not frags[-1].startswith("SIP/2.0 200"):
            n = await alice.wait_event("notify", timeout=10, fail_on=("error", "hangup"))
            check(n.result.get("content-type") == "message/sipfrag", f"alice: notify {n.result.get('content')!r}")
            frags.append(n.result.get("content", "").strip())
        check(n.result.get("substate") == "terminated", f"alice: the last notify ends the subscription ({frags})")
        ev = await alice.request({"request": "hangup"})
        await alice.wait_event("hangup", timeout=10)
        ev = await bob.wait_event("hangup", timeout=10)
        check(ev.result.get("code") == 200, f"bob: the transferor hung up (got {ev.brief()})")
        await bh.request({"request": "hangup"})
        await bh.wait_event("hangup", timeout=10)
        await carol.wait_event("hangup", timeout=10)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--janus", required=True)
    ap.add_argument("--ice-ip", required=True)
    ap.add_argument("--admin", required=True, help="Janus Admin API URL")
    ap.add_argument("--admin-secret", default="rtpgate-e2e")
    ap.add_argument("--sip-ip", required=True, help="kamailio's address (registrar and proxy, port 5060)")
    ap.add_argument("--relay-ip", required=True, help="the data plane's SIP-side address")
    ap.add_argument("--port-min", type=int, required=True)
    ap.add_argument("--port-max", type=int, required=True)
    ap.add_argument("--ns", required=True, help="the SIP peers' network namespace (baresip runs there)")
    ap.add_argument("--work", required=True, help="a directory for baresip's configuration and logs")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args()
    restrict_ice_to(args.ice_ip)
    try:
        asyncio.run(asyncio.wait_for(Calls(args).run(), args.timeout))
    except asyncio.TimeoutError:
        print(f"FAIL: overall timeout ({args.timeout:.0f} s)")
        return 1
    except (CheckFailed, JanusError) as e:
        print(f"FAIL: {e}")
        return 1
    print("PASS: kamailio calls, MESSAGE and blind transfer")
    return 0


if __name__ == "__main__":
    sys.exit(main())
