#!/usr/bin/python3
"""Browser check: Debian's chromium runs Janus's own SIP demo page (siptest.html from
janus-demos) against our plugin and calls an echoing SIP UA.

The page is driven the way a user would drive it (buttons and form fields, over the
DevTools protocol, tests/e2e/cdp.py): Start, "Register using plain secret", register,
call, wait for the answer, listen, hang up. Chromium's fake microphone plays a 1 kHz tone
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
                     lost: s.packetsLost, codec: s.codecId};
    if (s.type === 'codec') out['codec:' + s.id] = s.mimeType + '/' + s.clockRate;
    if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) out.pair = s.id;
  });
  return out;
})()
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
    try:
        await b.navigate(a.page_url)
        steps["load"] = await b.wait_for("typeof Janus !== 'undefined' && typeof $ !== 'undefined' "
                                         "&& $('#start').length === 1 && !!($._data($('#start')[0], 'events') || {}).click",
                                         "siptest.html to load and bind Start", 20)
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
        steps["accepted_to_media"] = await b.wait_for(
            "(async () => { const s = await (" + STATS_JS + "); "
            "return !!s && !!s['inbound-rtp'] && s['inbound-rtp'].packets > 50; })()",
            "echoed audio (inbound-rtp packets)", 20)
        await b.screenshot(out / "siptest-in-call.png")
        cap = await b.evaluate(CAPTURE_JS % int(a.listen_s * 1000), timeout_s=a.listen_s + 20)
        pcm = np.frombuffer(base64.b64decode(cap["pcm"]), dtype="<i2").astype(np.float64) / 32768.0
        rate = cap["rate"]
        pcm = pcm[int(0.2 * rate):]  # the first instants of the capture path
        peak, ratio, dbfs = analyse(pcm, rate) if pcm.size > 64 else (0.0, 0.0, float("-inf"))
        # Half-second windows: the jitter buffer of a loaded machine may stretch a moment of
        # audio; the call passes when most windows are the tone.
        win = rate // 2
        wins = [analyse(pcm[i:i + win], rate) for i in range(0, pcm.size - win + 1, win)]
        good = sum(1 for w in wins if abs(w[0] - a.tone_hz) <= 30 and w[1] >= 0.5)
        res["tone"] = {"peak_hz": round(peak, 1), "tone_ratio": round(ratio, 3), "rms_dbfs": round(dbfs, 1),
                       "seconds": round(pcm.size / rate, 2), "rate_hz": rate,
                       "windows": len(wins), "tone_windows": good}
        res["stats_in_call"] = await b.evaluate(STATS_JS)
        res["call_button"] = await b.evaluate("$('#call').text()")
        t0 = time.monotonic()
        await b.evaluate("$('#call').click(), true")  # "Hangup"
        await wait_console(b, "Call hung up (", "the 'hangup' event", 15)
        steps["hangup"] = time.monotonic() - t0
        await b.screenshot(out / "siptest-after-hangup.png")
        res["hangup_text"] = await b.evaluate("$('.bootbox-body').last().text()")
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
    t = res["tone"]
    ok = t["windows"] > 0 and t["tone_windows"] >= 0.7 * t["windows"]
    s = res["steps_s"]
    print(f"plugin {res['plugin']}; register {s['register']:.2f} s, call->accepted {s['call_to_accepted']:.2f} s, "
          f"media after {s['accepted_to_media']:.2f} s, hangup {s['hangup']:.2f} s; "
          f"echoed audio: peak {t['peak_hz']} Hz, {100 * t['tone_ratio']:.1f}% of the energy, {t['rms_dbfs']} dBFS "
          f"over {t['seconds']} s, {t['tone_windows']}/{t['windows']} half-second windows are the tone; stats {json.dumps(res['stats_in_call'])}; after the hangup: {res['hangup_text']!r}")
    if not ok:
        print(f"browser check failed: the echoed audio is not a {a.tone_hz:.0f} Hz tone", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
