#!/usr/bin/python3
"""First real call through Janus's SIP plugin (stock libjanus_sip.so or libjanus_rtpgate.so).

An aiortc peer plays the "browser": it registers through the plugin (digest challenge),
calls a SIP peer that echoes RTP (sipp -rtp_echo), sends a 1 kHz tone and checks that the
tone comes back (browser -> Janus -> plugin -> SIP peer -> echo -> plugin -> Janus ->
browser), hangs up, and checks the plugin's events. With --record DIR the call is recorded
while the tone plays (`recording` start/stop, both audio directions) and the .mjr files are
converted with janus-pp-rec and the tone looked for in the WAVs; with --admin URL the
per-direction packet counters of the call are read from the Admin API (query_session). Every step has a timeout; the exit
status is 0 only if every check passed. Run it with Debian's /usr/bin/python3 (aiortc).

    first_call.py --janus http://127.0.0.1:18088/janus --ice-ip 10.77.5.129 \\
        --username sip:alice@10.77.5.2 --secret secret --proxy sip:10.77.5.2:5060 \\
        --callee sip:echo@10.77.5.2:5070
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import aioice.ice  # noqa: E402
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription  # noqa: E402

from janus_client import JanusError, JanusSession, http_request  # noqa: E402
from tone import ToneReceiver, ToneTrack  # noqa: E402

PLUGIN = "janus.plugin.sip"
T0 = time.monotonic()


class CheckFailed(Exception):
    pass


def now() -> float:
    return time.monotonic() - T0


def say(msg: str) -> None:
    print(f"[{now():7.3f}s] {msg}", flush=True)


def check(cond: bool, what: str, indent: str = "  ") -> None:
    if not cond:
        raise CheckFailed(what)
    say(f"{indent}ok: {what}")


def restrict_ice_to(ip: str) -> None:
    """Offer host candidates on IP only (Janus gathers on the same dedicated address)."""
    aioice.ice.get_host_addresses = lambda use_ipv4=True, use_ipv6=False: [ip]


def sdp_audio_summary(sdp: str) -> str:
    m = re.search(r"^m=audio (\d+) (\S+) ([\d ]+)\r?$", sdp, re.M)
    c = re.search(r"^c=IN IP[46] (\S+)", sdp, re.M)
    if not m:
        return "no audio m-line"
    pts = m.group(3).split()
    names = []
    for pt in pts:
        r = re.search(rf"^a=rtpmap:{pt} ([^\r\n]+)", sdp, re.M)
        names.append(f"{pt}={r.group(1) if r else '?'}")
    return f"{c.group(1) if c else '?'}:{m.group(1)} {m.group(2)} [{', '.join(names)}]"


async def wait_ice(pc: RTCPeerConnection, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while pc.iceConnectionState not in ("completed", "connected"):
        if pc.iceConnectionState == "failed" or time.monotonic() > deadline:
            raise CheckFailed(f"ICE did not complete within {timeout:.0f} s (state {pc.iceConnectionState})")
        await asyncio.sleep(0.02)
    while pc.connectionState != "connected":  # DTLS
        if pc.connectionState == "failed" or time.monotonic() > deadline:
            raise CheckFailed(f"DTLS did not complete within {timeout:.0f} s (state {pc.connectionState})")
        await asyncio.sleep(0.02)


async def step_register(args: argparse.Namespace, handle, timings: dict) -> None:
    say(f"step 2: register {args.username} via {args.proxy}")
    t = time.monotonic()
    ev = await handle.request({"request": "register", "username": args.username, "secret": args.secret,
                               "proxy": args.proxy, "display_name": "rtpgate e2e"}, timeout=args.step_timeout)
    check(ev.name == "registering", f"immediate result 'registering' (got '{ev.name}')")
    ev = await handle.wait_event("registered", timeout=args.step_timeout, fail_on=("error", "registration_failed"))
    timings["register"] = 1000 * (time.monotonic() - t)
    check(ev.result.get("register_sent") is True, f"registered after {timings['register']:.0f} ms")


async def step_call(args: argparse.Namespace, handle, pc: RTCPeerConnection, results: dict, timings: dict) -> None:
    say("step 3: WebRTC offer (aiortc, tone %.0f Hz)" % args.tone_hz)
    pc.addTrack(ToneTrack(args.tone_hz))
    offer = await pc.createOffer()
    await asyncio.wait_for(pc.setLocalDescription(offer), args.step_timeout)  # gathers candidates
    say(f"  offer: {sdp_audio_summary(pc.localDescription.sdp)}")

    say(f"step 4: call {args.callee}")
    t = time.monotonic()
    ev = await handle.request({"request": "call", "uri": args.callee},
                              jsep={"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False},
                              timeout=args.step_timeout)
    check(ev.name == "calling", f"immediate result 'calling' (call_id {ev.data.get('call_id')})")
    ev = await handle.wait_event("accepted", "progress", timeout=args.step_timeout, fail_on=("error", "hangup"))
    answer = ev.jsep
    if ev.name == "progress":  # early media: the answer came with the 183, 'accepted' follows without one
        ev2 = await handle.wait_event("accepted", timeout=args.step_timeout, fail_on=("error", "hangup"))
        answer = answer or ev2.jsep
    timings["call_to_accepted"] = 1000 * (time.monotonic() - t)
    check(answer is not None and answer.get("type") == "answer",
          f"accepted with an SDP answer after {timings['call_to_accepted']:.0f} ms")
    results["answer_audio"] = sdp_audio_summary(answer["sdp"])
    say(f"  answer: {results['answer_audio']}")

    say("step 5: ICE + DTLS")
    t = time.monotonic()
    await asyncio.wait_for(pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer")),
                           args.step_timeout)
    await wait_ice(pc, args.step_timeout)
    timings["answer_to_dtls"] = 1000 * (time.monotonic() - t)
    check(True, f"ICE {pc.iceConnectionState}, DTLS connected after {timings['answer_to_dtls']:.0f} ms")
    try:
        await handle.wait_event("janus:webrtcup", timeout=5, fail_on=("error", "hangup"))
    except JanusError as e:
        raise CheckFailed(f"no webrtcup from Janus: {e}") from None
    check(True, "Janus reports webrtcup")


async def step_tone(args: argparse.Namespace, remote_tracks: asyncio.Queue, results: dict, timings: dict) -> None:
    say(f"step 6: tone round trip ({args.listen_ms} ms of echoed audio)")
    track = await asyncio.wait_for(remote_tracks.get(), args.step_timeout)
    rx = ToneReceiver(track, warmup_frames=args.warmup_frames)
    rx.start()
    if args.expect_no_echo:  # negative control: the SIP peer does not echo
        await rx.wait_frames(1, 3.0)
        await rx.stop()
        results["tone"] = None
        check(rx.frames == 0, f"no audio comes back within 3 s from a peer that does not echo ({rx.frames} frames)")
        return
    need = max(1, args.listen_ms // 20)
    got = await rx.wait_frames(need, args.step_timeout)
    await rx.stop()
    check(got, f"{need} echoed frames within {args.step_timeout:.0f} s "
               f"(got {rx.analysed_frames} after a {args.warmup_frames}-frame warm-up)")
    rep = rx.report()
    timings["first_echo_frame"] = 1000 * rep.first_frame_s
    say(f"  received: {rep}")
    results["tone"] = {"peak_hz": round(rep.peak_hz, 1), "tone_ratio": round(rep.tone_ratio, 4),
                       "rms_dbfs": round(rep.rms_dbfs, 1), "rate_hz": rep.rate_hz, "frames": rep.frames,
                       "first_frame_ms": round(1000 * rep.first_frame_s)}
    check(abs(rep.peak_hz - args.tone_hz) <= args.tol_hz,
          f"peak {rep.peak_hz:.1f} Hz within {args.tone_hz:.0f} +- {args.tol_hz:.0f} Hz")
    check(rep.tone_ratio >= args.min_ratio,
          f"tone holds {100 * rep.tone_ratio:.1f}% of the energy (>= {100 * args.min_ratio:.0f}%)")


async def step_hangup(args: argparse.Namespace, handle, timings: dict) -> None:
    say("step 7: hangup")
    t = time.monotonic()
    ev = await handle.request({"request": "hangup"}, timeout=args.step_timeout)
    check(ev.name == "hangingup", f"immediate result 'hangingup' (got '{ev.name}')")
    ev = await handle.wait_event("hangup", timeout=args.step_timeout)
    timings["hangup"] = 1000 * (time.monotonic() - t)
    check(ev.result.get("code") == 200,
          f"hangup event code {ev.result.get('code')} '{ev.result.get('reason')}' after {timings['hangup']:.0f} ms")


async def step_record(args: argparse.Namespace, handle, action: str) -> None:
    body = {"request": "recording", "action": action, "audio": True, "peer_audio": True}
    if action == "start":
        body["filename"] = os.path.join(args.record, "call")
    ev = await handle.request(body, timeout=args.step_timeout)
    check(ev.name == "recordingupdated", f"recording {action}: 'recordingupdated' (got '{ev.name}')")


async def step_recorded_files(args: argparse.Namespace, results: dict) -> None:
    """janus-pp-rec converts each recorded direction; the tone must be in the WAV."""
    from scn_record import read_mjr, run as run_cmd, wav_info  # noqa: PLC0415 - numpy/wave only when asked
    say("step 9: the recording (janus-pp-rec)")
    results["recording"] = {}
    for suffix in ("user-audio", "peer-audio"):
        mjr = os.path.join(args.record, f"call-{suffix}.mjr")
        check(os.path.exists(mjr), f"{os.path.basename(mjr)} written by the data plane's recorder")
        m = read_mjr(mjr)
        wav = mjr[:-4] + ".wav"
        rc, out = await run_cmd("janus-pp-rec", mjr, wav, timeout=30)
        check(rc == 0 and os.path.exists(wav), f"janus-pp-rec {os.path.basename(mjr)} -> {os.path.basename(wav)} "
                                               f"(exit {rc}{'' if rc == 0 else ': ' + out[-200:]})")
        w = wav_info(wav)
        results["recording"][suffix] = {"frames": m["frames"], "bytes": m["bytes"], "codec": (m["header"] or {}).get("c"),
                                        **w}
        check(abs(w["peak_hz"] - args.tone_hz) <= args.tol_hz and w["tone_ratio"] >= args.min_ratio,
              f"{suffix}: {m['frames']} frames ({(m['header'] or {}).get('c')}), {w['seconds']:.2f} s of audio "
              f"peaking at {w['peak_hz']} Hz ({100 * w['tone_ratio']:.0f}% of the energy)")


async def step_counters(args: argparse.Namespace, session, handle, results: dict) -> None:
    """The call's packets per direction as the plugin and the data plane count them."""
    ans = await http_request(f"{args.admin}/{session.id}/{handle.id}", "POST",
                             {"janus": "handle_info", "transaction": "fc", "admin_secret": args.admin_secret}, 5)
    rg = ans.get("info", {}).get("plugin_specific", {}).get("rtpgate", {})
    a = rg.get("audio", {})
    rtp_fc = a.get("rtp_flow_counters", {})
    results["packets"] = {"browser_to_peer": a.get("to_peer_pkts"), "peer_to_browser": a.get("relayed_rtp"),
                          "relay": f"{rg.get('relay_ip')}:{a.get('rtp_port')}", "rtp_flow": rtp_fc}
    say(f"  packets per direction: browser -> SIP peer {a.get('to_peer_pkts')} (through the data plane from "
        f"{rg.get('relay_ip')}:{a.get('rtp_port')}), SIP peer -> browser {a.get('relayed_rtp')}; "
        f"RTP flow {a.get('rtp_flow')}: {json.dumps(rtp_fc)}")
    if args.expect_no_echo:
        check((a.get("to_peer_pkts") or 0) > 0 and not a.get("relayed_rtp"),
              "packets went to the SIP peer and none came back from it")
    else:
        check((a.get("to_peer_pkts") or 0) > 0 and (a.get("relayed_rtp") or 0) > 0, "packets crossed both ways")


def check_events(names: list[str], core: list[str]) -> None:
    say("step 8: event sequence")
    say(f"  plugin events: {' -> '.join(names)}")
    say(f"  core events:   {' -> '.join(core)}")
    want = ["registering", "registered", "calling", "accepted", "hangingup", "hangup"]
    it = iter(names)
    check(all(w in it for w in want), f"events contain, in order: {', '.join(want)}")
    say(f"  (provisional: {', '.join(n for n in names if n in ('ringing', 'proceeding', 'progress')) or 'none'})")
    check("error" not in names and "registration_failed" not in names, "no error or registration_failed events")


async def run(args: argparse.Namespace, results: dict) -> None:
    timings: dict[str, float] = {}
    results["timings_ms"] = timings
    say(f"step 1: Janus at {args.janus}")
    async with JanusSession(args.janus) as session:
        info = await session.info()
        plugin = info.get("plugins", {}).get(PLUGIN, {})
        check(bool(plugin), f"{PLUGIN} loaded ({plugin.get('name', '?')} {plugin.get('version_string', '')})")
        results["plugin"] = plugin.get("name")
        handle = await session.attach(PLUGIN)
        say(f"  session {session.id}, handle {handle.id}")
        handle.on_event = lambda ev: say(f"  <- event: {ev.brief()}")
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no STUN: host candidates only
        remote_tracks: asyncio.Queue = asyncio.Queue()
        pc.on("track", lambda tr: remote_tracks.put_nowait(tr))
        try:
            await step_register(args, handle, timings)
            await step_call(args, handle, pc, results, timings)
            if args.record:
                await step_record(args, handle, "start")
            await step_tone(args, remote_tracks, results, timings)
            if args.record:
                await step_record(args, handle, "stop")
            if args.admin:
                await step_counters(args, session, handle, results)
            await step_hangup(args, handle, timings)
        finally:
            await asyncio.wait_for(pc.close(), 10)
            results["events"] = [e.name for e in handle.history if e.janus == "event"]
            results["core_events"] = [e.name for e in handle.history if e.janus != "event"]
        check_events(results["events"], results["core_events"])
        if args.record:
            await step_recorded_files(args, results)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--janus", required=True, help="Janus HTTP API URL (http://127.0.0.1:PORT/janus)")
    ap.add_argument("--ice-ip", required=True, help="the only local address offered in ICE (Janus's ICE address)")
    ap.add_argument("--username", required=True, help="SIP identity to register, e.g. sip:alice@10.77.5.2")
    ap.add_argument("--secret", default="secret")
    ap.add_argument("--proxy", required=True, help="registrar URI, e.g. sip:10.77.5.2:5060")
    ap.add_argument("--callee", required=True, help="URI to call, e.g. sip:echo@10.77.5.2:5070")
    ap.add_argument("--tone-hz", type=float, default=1000.0)
    ap.add_argument("--tol-hz", type=float, default=30.0)
    ap.add_argument("--min-ratio", type=float, default=0.5, help="minimum share of energy near the peak")
    ap.add_argument("--listen-ms", type=int, default=2000, help="echoed audio to analyse")
    ap.add_argument("--warmup-frames", type=int, default=10, help="echoed frames skipped before analysing")
    ap.add_argument("--expect-no-echo", action="store_true",
                    help="negative control: the SIP peer does not echo, so no audio may come back")
    ap.add_argument("--step-timeout", type=float, default=15.0)
    ap.add_argument("--timeout", type=float, default=90.0, help="bound on the whole run")
    ap.add_argument("--json-out", help="write the results as JSON here")
    ap.add_argument("--record", metavar="DIR", help="record the call into DIR and check the converted files")
    ap.add_argument("--admin", metavar="URL", help="Janus Admin API URL: print the call's packets per direction")
    ap.add_argument("--admin-secret", default="rtpgate-e2e")
    ap.add_argument("--debug", action="store_true", help="aiortc/aioice debug logging")
    args = ap.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    restrict_ice_to(args.ice_ip)

    results: dict = {"ok": False}
    rc = 1
    try:
        asyncio.run(asyncio.wait_for(run(args, results), args.timeout))
        results["ok"] = True
        rc = 0
        say("PASS: first call")
    except CheckFailed as e:
        results["error"] = str(e)
        say(f"FAIL: {e}")
    except (JanusError, asyncio.TimeoutError) as e:
        results["error"] = f"{type(e).__name__}: {e}"
        say(f"FAIL: {type(e).__name__}: {e or 'overall timeout of %.0f s' % args.timeout}")
    except Exception as e:  # noqa: BLE001 - report anything else as a failure too
        results["error"] = f"{type(e).__name__}: {e}"
        say(f"FAIL: unexpected {type(e).__name__}: {e}")
    results["wall_s"] = round(now(), 3)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=1)
            f.write("\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
