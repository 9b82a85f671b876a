#!/usr/bin/python3
"""Browser check: Debian's chromium runs Janus's own SIP demo page (siptest.html from
janus-demos) against our plugin and calls an echoing SIP UA.

The page is driven the way a user would drive it (buttons and form fields, over the
DevTools protocol, tests/e2e/cdp.py): Start, "Register using plain secret", register,
call, wait for the answer, listen; then, through the page's own plugin handle, hold (the
echo must stop), unhold (it resumes) and `update` with an ICE restart (new ICE
credentials, the page handles the `accepted` answer itself, the tone resumes); hang up.
Plugin events are observed where the page logs them (its onmessage's Janus.debug). Chromium's fake microphone plays a 1 kHz tone
(--use-file-for-fake-audio-capture); the audio coming back through Janus, the plugin, the
data plane and the echoing UA is captured from the page's remote track with WebAudio and
its frequency checked (tone.analyse). A screenshot of the page in the call is saved.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cdp import Browser, CdpError  # noqa: E402
from tone import analyse  # noqa: E402

# The page's remote audio track -> WebAudio -> 16-bit PCM, base64 (Chrome feeds a remote
# WebRTC track into WebAudio while the page plays it in its <audio> element).
CAPTURE_JS = """
(async () => {
  const pc = sipcall.webrtcStuff.pc;
  const rx = pc.getReceivers().find(r => r.track && r.track.kind === 'audio');
  const ctx = new AudioContext({sampleRate: 48000});
  await ctx.resume();
  const src = ctx.createMediaStreamSource(new MediaStream([rx.track]));
  const node = ctx.createScriptProcessor(4096, 1, 1);
  const chunks = [];
  node.onaudioprocess = e => chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
  src.connect(node); node.connect(ctx.destination);
  await new Promise(r => setTimeout(r, %d));
  node.disconnect(); src.disconnect();
  const rate = ctx.sampleRate;
  await ctx.close();
  const n = chunks.reduce((a, c) => a + c.length, 0);
  const pcm = new Int16Array(n);
  let o = 0;
  for (const c of chunks) for (let i = 0; i < c.length; i++) pcm[o++] = Math.max(-1, Math.min(1, c[i])) * 32767;
  const u8 = new Uint8Array(pcm.buffer);
  let s = '';
  for (let i = 0; i < u8.length; i += 0x8000) s += String.fromCharCode.apply(null, u8.subarray(i, i + 0x8000));
  return {rate: rate, pcm: btoa(s)};
})()
"""

STATS_JS = """
(async () => {
  const out = {};
  const pc = sipcall && sipcall.webrtcStuff && sipcall.webrtcStuff.pc;
  if (!pc) return null;
  (await pc.getStats()).forEach(s => {
    if ((s.type === 'inbound-rtp' || s.type === 'outbound-rtp') && s.kind === 'audio')
      out[s.type] = {packets: s.packetsReceived ?? s.packetsSent, bytes: s.bytesReceived ?? s.bytesSent,
                     lost: s.packetsLost, codec: s.codecId, samples: s.totalSamplesReceived,
                     concealed: s.concealedSamples, stretched: (s.insertedSamplesForDeceleration || 0)
                       + (s.removedSamplesForAcceleration || 0)};
    if (s.type === 'codec') out['codec:' + s.id] = s.mimeType + '/' + s.clockRate;
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) out.pair = s.id;
  });
  return out;
})()
"""


# The SIP peer echoes our own tone back: to the browser's acoustic echo canceller that is
# an echo to remove from the (fake) microphone, and its suppression distorts what we send
# (intermittent 750/1250 Hz windows). The page's getUserMedia gets the audio processing off.
NO_AUDIO_PROCESSING_JS = """
(() => {
  const md = navigator.mediaDevices;
  if (!md || !md.getUserMedia) return;
  const orig = md.getUserMedia.bind(md);
  md.getUserMedia = (c) => {
    if (c && c.audio) {
      const a = typeof c.audio === 'object' ? c.audio : {};
      c.audio = Object.assign(a, {echoCancellation: false, noiseSuppression: false, autoGainControl: false});
    }
    return orig(c);
  };
})();
"""

# Keeps every plugin message the page receives (siptest.js logs each one first thing in its
# onmessage with Janus.debug(" ::: Got a message :::", msg)).
EVENT_HOOK_JS = """
(() => {
  window.__ev = [];
  const orig = Janus.debug;
  Janus.debug = function() {
    if (arguments[0] === ' ::: Got a message :::' && arguments[1]) window.__ev.push(arguments[1]);
    return orig.apply(this, arguments);
  };
  return true;
})()
"""

UPDATE_ICE_RESTART_JS = """
new Promise((ok, ko) => sipcall.createOffer({
  iceRestart: true,
  success: jsep => { sipcall.send({message: {request: 'update'}, jsep: jsep}); ok(true); },
  error: e => ko(String(e)) }))
"""


def write_tone_wav(path: Path, freq_hz: float, seconds: float = 30.0, rate: int = 48000) -> None:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.5 * 32767 * np.sin(2 * np.pi * freq_hz * t)).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())


def console_has(b: Browser, text: str) -> bool:
    return any(text in line for line in b.console)


async def wait_console(b: Browser, text: str, what: str, timeout_s: float) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        if console_has(b, text):
            return time.monotonic() - t0
        await asyncio.sleep(0.1)
    raise CdpError(f"timed out after {timeout_s} s waiting for {what} ({text!r} in the page's console)")


class Page:
    """The SIP demo page in chromium, with the helpers the steps need."""

    def __init__(self, b: Browser, tone_hz: float):
        self.b, self.tone_hz = b, tone_hz

    async def event(self, name: str, since: int, timeout_s: float) -> float:
        """Waits for plugin event NAME among the page's messages number SINCE onwards."""
        return await self.b.wait_for(
            f"window.__ev.slice({since}).some(m => m.result && m.result.event === {json.dumps(name)})",
            f"the '{name}' event", timeout_s)

    async def events_seen(self) -> int:
        return await self.b.evaluate("window.__ev.length")

    async def inbound_packets(self) -> int:
        s = await self.b.evaluate(STATS_JS)
        return (s or {}).get("inbound-rtp", {}).get("packets", 0)

    async def wait_inbound(self, more: int, what: str, timeout_s: float = 20) -> float:
        base = await self.inbound_packets()
        return await self.b.wait_for(
            "(async () => { const s = await (" + STATS_JS + "); "
            f"return !!s && !!s['inbound-rtp'] && s['inbound-rtp'].packets >= {base + more}; }})()", what, timeout_s)

    async def listen(self, seconds: float) -> dict:
        """The echoed audio's frequency, overall and in half-second windows."""
        st0 = (await self.b.evaluate(STATS_JS) or {}).get("inbound-rtp", {})
        cap = await self.b.evaluate(CAPTURE_JS % int(seconds * 1000), timeout_s=seconds + 20)
        st1 = (await self.b.evaluate(STATS_JS) or {}).get("inbound-rtp", {})
        jb = {k: (st1.get(k) or 0) - (st0.get(k) or 0) for k in ("samples", "concealed", "stretched")}
        rate = cap["rate"]
        pcm = np.frombuffer(base64.b64decode(cap["pcm"]), dtype="<i2").astype(np.float64) / 32768.0
        pcm = pcm[int(0.2 * rate):]  # the first instants of the capture path
        peak, ratio, dbfs = analyse(pcm, rate) if pcm.size > 64 else (0.0, 0.0, float("-inf"))
        # Half-second windows: every part of the call must carry the tone, not just most of
        # the energy overall (a window may straddle a hold or an ICE restart: 80% must pass).
        win = rate // 2
        wins = [analyse(pcm[i:i + win], rate) for i in range(0, pcm.size - win + 1, win)]
        good = sum(1 for w in wins if abs(w[0] - self.tone_hz) <= 30 and w[1] >= 0.5)
        return {"window_peaks_hz": [round(w[0]) for w in wins], "jitter_buffer": jb,"peak_hz": round(peak, 1), "tone_ratio": round(ratio, 3), "rms_dbfs": round(dbfs, 1),
                "seconds": round(pcm.size / rate, 2), "rate_hz": rate, "windows": len(wins), "tone_windows": good,
                "ok": bool(wins) and good >= 0.8 * len(wins)}

    async def ice_ufrag(self) -> str:
        return await self.b.evaluate(
            "(sipcall.webrtcStuff.pc.localDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] || ''")


async def register_and_call(b: Browser, a: argparse.Namespace, steps: dict, res: dict) -> None:
    await b.add_init_script(NO_AUDIO_PROCESSING_JS)
    await b.navigate(a.page_url)
    steps["load"] = await b.wait_for("typeof Janus !== 'undefined' && typeof $ !== 'undefined' "
                                     "&& $('#start').length === 1 && !!($._data($('#start')[0], 'events') || {}).click",
                                     "siptest.html to load and bind Start", 20)
    await b.evaluate(EVENT_HOOK_JS)
    await b.evaluate("$('#start').click(), true")
    steps["attach"] = await b.wait_for("$('#login').is(':visible') && typeof sipcall !== 'undefined' && !!sipcall",
                                       "the SIP plugin handle (Start)", 20)
    res["plugin"] = await b.evaluate("sipcall.getPlugin()")
    # The approach menu, then the form, as a user fills it in.
    await b.evaluate("$('#registerlist a#secret').click(), true")
    await b.evaluate("bootbox.hideAll(), true")
    fields = {"server": a.proxy, "username": a.username, "authuser": "", "password": a.secret,
              "displayname": "Browser"}
    for k, v in fields.items():
        await b.evaluate(f"$('#{k}').val({json.dumps(v)}), true")
    await b.evaluate("$('#register').click(), true")
    steps["register"] = await b.wait_for("registered === true", "the 'registered' event", 20)
    await b.evaluate(f"$('#peer').val({json.dumps(a.callee)}), $('#call').click(), true")
    steps["call_to_accepted"] = await wait_console(b, "accepted the call!", "the 'accepted' event", 30)


async def hold_unhold(p: Page, steps: dict, res: dict) -> None:
    """hold: the peer's echo is dropped (no packets for a second); unhold: the tone is back."""
    n = await p.events_seen()
    await p.b.evaluate("sipcall.send({message: {request: 'hold'}}), true")
    steps["hold"] = await p.event("holding", n, 10)
    await asyncio.sleep(1.0)   # the re-INVITE's answer and packets in flight
    before = await p.inbound_packets()
    await asyncio.sleep(1.0)
    held = await p.inbound_packets() - before
    res["held_inbound_packets_per_s"] = held
    if held > 5:
        raise CdpError(f"on hold, {held} packets/s still reached the browser")
    n = await p.events_seen()
    await p.b.evaluate("sipcall.send({message: {request: 'unhold'}}), true")
    steps["unhold"] = await p.event("resuming", n, 10)
    steps["unhold_to_media"] = await p.wait_inbound(50, "the echo after unhold")
    res["tone_after_unhold"] = await p.listen(2.0)


async def update_ice_restart(p: Page, steps: dict, res: dict) -> None:
    """update with an ICE restart: re-INVITE, `accepted` answer handled by the page, new ICE
    credentials on our side, the tone comes back over the restarted ICE session."""
    ufrag = await p.ice_ufrag()
    n = await p.events_seen()
    t0 = time.monotonic()
    await p.b.evaluate(UPDATE_ICE_RESTART_JS)
    await p.event("updating", n, 10)
    await p.event("accepted", n, 10)
    steps["update_to_accepted"] = time.monotonic() - t0
    await p.b.wait_for(f"(sipcall.webrtcStuff.pc.localDescription.sdp.match(/a=ice-ufrag:(\\S+)/) || [])[1] "
                       f"!== {json.dumps(ufrag)} && sipcall.webrtcStuff.pc.signalingState === 'stable'",
                       "the restarted ICE session (new ufrag, stable)", 10)
    res["ice_ufrag"] = {"before": ufrag, "after": await p.ice_ufrag()}
    steps["update_to_media"] = await p.wait_inbound(50, "the echo after the ICE restart")
    res["tone_after_update"] = await p.listen(3.0)


async def run(a: argparse.Namespace) -> dict:
    out = Path(a.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wav = out / "fake-mic.wav"
    write_tone_wav(wav, a.tone_hz)
    res: dict = {"steps_s": {}, "page": a.page_url}
    t_all = time.monotonic()
    b = await Browser.launch(a.chromium, out / "profile", [f"--use-file-for-fake-audio-capture={wav}"],
                             out / "chromium.log")
    steps = res["steps_s"]
    p = Page(b, a.tone_hz)
    try:
        await register_and_call(b, a, steps, res)
        steps["accepted_to_media"] = await p.wait_inbound(50, "echoed audio (inbound-rtp packets)")
        await b.screenshot(out / "siptest-in-call.png")
        res["tone"] = await p.listen(a.listen_s)
        res["stats_in_call"] = await b.evaluate(STATS_JS)
        res["mic_settings"] = await b.evaluate(
            "(() => { const s = sipcall.webrtcStuff.pc.getSenders().find(x => x.track && x.track.kind === 'audio');"
            " const t = s ? s.track.getSettings() : {}; return {echoCancellation: t.echoCancellation,"
            " noiseSuppression: t.noiseSuppression, autoGainControl: t.autoGainControl}; })()")
        if (res["mic_settings"] or {}).get("echoCancellation") is not False:
            raise CdpError(f"the microphone kept its echo canceller on: {res['mic_settings']}")
        res["call_button"] = await b.evaluate("$('#call').text()")
        if a.in_call:
            await hold_unhold(p, steps, res)
            await update_ice_restart(p, steps, res)
        t0 = time.monotonic()
        await b.evaluate("$('#call').click(), true")  # "Hangup"
        await wait_console(b, "Call hung up (", "the 'hangup' event", 15)
        steps["hangup"] = time.monotonic() - t0
        await b.screenshot(out / "siptest-after-hangup.png")
        res["hangup_text"] = await b.evaluate("$('.bootbox-body').last().text()")
        res["events"] = [m.get("result", {}).get("event") for m in await b.evaluate("window.__ev")]
    finally:
        (out / "console.log").write_text("\n".join(b.console) + "\n")
        res["console_lines"] = len(b.console)
        res["wall_s"] = round(time.monotonic() - t_all, 1)
        await b.close()
    return res


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chromium", default="chromium")
    p.add_argument("--page-url", required=True, help="siptest.html served with a settings.js for our Janus")
    p.add_argument("--username", required=True)
    p.add_argument("--secret", required=True)
    p.add_argument("--proxy", required=True)
    p.add_argument("--callee", required=True)
    p.add_argument("--tone-hz", type=float, default=1000.0)
    p.add_argument("--listen-s", type=float, default=4.0)
    p.add_argument("--no-in-call", dest="in_call", action="store_false",
                   help="only call and hang up (no hold/unhold/update)")
    p.add_argument("--out-dir", required=True, help="screenshots, console log, chromium log, result.json")
    a = p.parse_args()
    try:
        res = asyncio.run(run(a))
        err = None
    except (CdpError, asyncio.TimeoutError, OSError) as e:
        res, err = {}, str(e)
    res["error"] = err
    Path(a.out_dir, "result.json").write_text(json.dumps(res, indent=2) + "\n")
    if err:
        print(f"browser check failed: {err}", file=sys.stderr)
        return 1
    tones = {k: res[k] for k in ("tone", "tone_after_unhold", "tone_after_update") if k in res}
    s = res["steps_s"]
    line = ", ".join(f"{k} {v:.2f} s" for k, v in s.items())
    print(f"plugin {res['plugin']}; {line}")
    for k, t in tones.items():
        print(f"  {k}: peak {t['peak_hz']} Hz, {100 * t['tone_ratio']:.1f}% of the energy, {t['rms_dbfs']} dBFS over "
              f"{t['seconds']} s, {t['tone_windows']}/{t['windows']} half-second windows are the tone "
              f"({' '.join(map(str, t['window_peaks_hz']))} Hz); decoder samples {t['jitter_buffer']}")
    if "held_inbound_packets_per_s" in res:
        print(f"  on hold: {res['held_inbound_packets_per_s']} packets/s reached the browser; ICE ufrag "
              f"{res['ice_ufrag']['before']} -> {res['ice_ufrag']['after']} after the update")
    print(f"  microphone processing: {json.dumps(res['mic_settings'])}")
    print(f"  plugin events seen by the page: {' '.join(str(e) for e in res['events'])}")
    print(f"  stats in the call: {json.dumps(res['stats_in_call'])}; after the hangup: {res['hangup_text']!r}")
    bad = [k for k, t in tones.items() if not t["ok"]]
    if bad:
        print(f"browser check failed: the echoed audio is not a {a.tone_hz:.0f} Hz tone in {', '.join(bad)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
