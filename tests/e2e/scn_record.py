"""Plugin part 2 scenarios: `recording` (ids 70-79; spec janus-sip-api.md §4.15, §12, §15.1;
.mjr: mjr-format.md). A mixin of incall_scenarios.InCallSuite (helpers of sip_scenarios.Suite
and scn_media.MediaScenarios: self.sipp(), self.finish(), self.plugin_specific()...).

70: an audio + video call to a sipp UAS that SENDS audio (a tone) and VP8 video
(tests/e2e/sipp/uas_av_play.xml, media made by tests/e2e/media/gen_av_pcap.py), the browser
(aiortc) sending its tone and a VP8 pattern; all four directions recorded for ~4 s, then
janus-pp-rec checks the files: each parses, audio converts to .wav, video to .webm; the wav
lengths match the interval between start and stop as the test saw it; the wavs carry the
right tone (the SIP peer's tone differs from the browser's so that swapped files show). The
peer-video start must send an RTCP PLI to the SIP peer (its answer has a=rtcp-fb nack pli):
dumpcap in the peers' namespace watches the peer's video RTCP port.
71: `recording` errors: outside a call (error_code 0), bad action (444), no medium (451)."""

from __future__ import annotations

import asyncio
import json
import os
import struct
import time
import wave

import numpy as np

from e2e_check import CheckFailed, check
from janus_client import JanusError
from tone import analyse
from webrtc_peer import Peer

HERE = os.path.dirname(os.path.abspath(__file__))
AV_XML = os.path.join(HERE, "sipp", "uas_av_play.xml")
GEN_AV = os.path.join(HERE, "media", "gen_av_pcap.py")
UAS_PORT, UAS_MP = 5070, 6000               # as sip_scenarios
VIDEO_RTCP_PORT = UAS_MP + 3                # sipp's m=video is -mp + 2; RTCP one above
PEER_TONE_HZ = 600.0    # the SIP peer's tone: not the browser's 1 kHz, so a swapped file shows
RECORD_S = 4.0          # how long all four recorders run
WAV_TOL_S = 0.100       # wav length vs the interval seen by the test
DIRECTIONS = (("audio", "user-audio", "audio"), ("video", "user-video", "video"),
              ("peer_audio", "peer-audio", "audio-peer"), ("peer_video", "peer-video", "video-peer"))


def read_mjr(path: str) -> dict:
    """Header JSON and frame statistics of a .mjr (MJR00002): frames, SSRCs, PTs, RTP
    timestamp span (first to last frame), time span of the frame stamps."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"MJR00002":
        raise CheckFailed(f"{os.path.basename(path)}: no MJR00002 magic ({data[:8]!r}, {len(data)} bytes)")
    if len(data) < 10:
        return {"header": None, "frames": 0, "bytes": len(data)}
    (n,) = struct.unpack("!H", data[8:10])
    header = json.loads(data[10:10 + n])
    pos, frames, ssrcs, pts, ts, ms = 10 + n, 0, set(), set(), [], []
    while pos + 10 <= len(data):
        if data[pos:pos + 4] != b"MEET":
            raise CheckFailed(f"{os.path.basename(path)}: frame {frames} at {pos} has no MEET tag")
        t_ms, ln = struct.unpack("!IH", data[pos + 4:pos + 10])
        pkt = data[pos + 10:pos + 10 + ln]
        pts.add(pkt[1] & 0x7F)
        ts.append(struct.unpack("!I", pkt[4:8])[0])
        ssrcs.add(struct.unpack("!I", pkt[8:12])[0])
        ms.append(t_ms)
        frames += 1
        pos += 10 + ln
    return {"header": header, "frames": frames, "bytes": len(data), "ssrcs": sorted(ssrcs), "pts": sorted(pts),
            "ts_span": ((ts[-1] - ts[0]) & 0xFFFFFFFF) if ts else 0, "ms_span": (ms[-1] - ms[0]) if ms else 0}


def wav_info(path: str) -> dict:
    with wave.open(path, "rb") as w:
        rate, n, ch = w.getframerate(), w.getnframes(), w.getnchannels()
        pcm = np.frombuffer(w.readframes(n), dtype="<i2").astype(np.float64) / 32768.0
    if ch > 1:
        pcm = pcm.reshape(-1, ch).mean(axis=1)
    peak, ratio, dbfs = analyse(pcm, rate)
    return {"seconds": n / rate, "rate": rate, "peak_hz": round(peak, 1), "tone_ratio": round(ratio, 3),
            "dbfs": round(dbfs, 1)}


async def run(*cmd: str, timeout: float = 20.0) -> tuple[int, str]:
    p = await asyncio.create_subprocess_exec(*cmd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(p.communicate(), timeout)
    except asyncio.TimeoutError:
        p.kill()
        await p.wait()
        raise CheckFailed(f"{os.path.basename(cmd[0])} did not finish in {timeout:.0f} s")
    return p.returncode, out.decode(errors="replace")


class RtcpCapture:
    """dumpcap in the peers' namespace on UDP to one port, for a bounded time."""

    def __init__(self, ns: str, port: int, path: str, seconds: float):
        self.ns, self.port, self.path, self.seconds = ns, port, path, seconds
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        if os.path.exists(self.path):
            os.unlink(self.path)
        self.proc = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", self.ns, "dumpcap", "-q", "-i", "any", "-f", f"udp dst port {self.port}",
            "-a", f"duration:{int(self.seconds)}", "-w", self.path,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:   # the file appears when the capture runs
            if os.path.exists(self.path) and os.path.getsize(self.path) > 0:
                await asyncio.sleep(0.2)
                return
            if self.proc.returncode is not None:
                break
            await asyncio.sleep(0.05)
        err = (await self.proc.stderr.read()).decode(errors="replace") if self.proc.returncode is not None else ""
        raise CheckFailed(f"dumpcap did not start capturing in {self.ns} ({err[-200:]})")

    async def packets(self) -> list[tuple[float, bytes]]:
        """(epoch time, UDP payload) of every datagram, after the capture ended."""
        try:
            await asyncio.wait_for(self.proc.wait(), self.seconds + 5)
        except asyncio.TimeoutError:
            self.proc.terminate()
            await self.proc.wait()
        rc, out = await run("tshark", "-r", self.path, "-T", "fields", "-e", "frame.time_epoch", "-e", "udp.payload")
        if rc != 0:
            raise CheckFailed(f"tshark -r {self.path}: exit {rc}: {out[-200:]}")
        got = []
        for ln in out.splitlines():
            parts = ln.split("\t")
            if len(parts) == 2 and parts[1]:
                got.append((float(parts[0]), bytes.fromhex(parts[1].replace(":", ""))))
        return got

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await self.proc.wait()


SINK_PY = ("import select, socket, sys\n"
           "socks = []\n"
           "for p in sys.argv[2:]:\n"
           "    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], int(p))); socks.append(s)\n"
           "print('bound', flush=True)\n"
           "while True:\n"
           "    for s in select.select(socks, [], [])[0]:\n"
           "        s.recv(2048)\n")


class RtcpSink:
    """UDP sockets on the peer's RTCP ports (sipp binds only -mp and -mp + 2): without them
    the plugin's RTCP gets ICMP port unreachable, and 1.1.2 then closes its RTCP sockets
    ("Got a 'Connection refused' on the video RTCP socket") and can send no PLI."""

    def __init__(self, ns: str, ip: str, ports: tuple[int, ...]):
        self.ns, self.ip, self.ports = ns, ip, ports
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await asyncio.create_subprocess_exec(
            "ip", "netns", "exec", self.ns, "/usr/bin/python3", "-c", SINK_PY, self.ip, *map(str, self.ports),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        line = await asyncio.wait_for(self.proc.stdout.readline(), 5)
        if line.strip() != b"bound":
            raise CheckFailed(f"RTCP sink on {self.ports} did not start: {line.decode(errors='replace')[-200:]}")

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()


def plis(packets: list[tuple[float, bytes]]) -> list[tuple[float, int, int]]:
    """(time, sender SSRC, media SSRC) of each RTCP PSFB FMT=1 (PLI) in compound packets."""
    out = []
    for t, d in packets:
        pos = 0
        while pos + 4 <= len(d):
            b0, pt, words = d[pos], d[pos + 1], struct.unpack("!H", d[pos + 2:pos + 4])[0]
            if b0 >> 6 != 2:
                break
            if pt == 206 and (b0 & 0x1F) == 1 and pos + 12 <= len(d):
                out.append((t, *struct.unpack("!II", d[pos + 4:pos + 12])))
            pos += 4 * (words + 1)
    return out


class RecordScenarios:
    async def av_media(self) -> dict:
        """sipp's media in its working directory (the trace dir): made once per run."""
        if getattr(self, "_av_media", None) is None:
            rc, out = await run("/usr/bin/python3", GEN_AV, self.lab.sipp_dir, "--seconds", "15",
                                "--freq", str(PEER_TONE_HZ), timeout=60)
            if rc != 0:
                raise CheckFailed(f"gen_av_pcap.py exit {rc}: {out[-300:]}")
            self._av_media = json.loads(out.strip().splitlines()[-1])
        return self._av_media

    async def rec_request(self, h, body: dict) -> tuple[float, float]:
        """A `recording` request answered by recordingupdated: (sent, answered) monotonic times."""
        t0 = time.monotonic()
        ev = await h.request({"request": "recording", **body}, timeout=10)
        t1 = time.monotonic()
        check(ev.name == "recordingupdated",
              f"recording {body['action']} -> recordingupdated in {1000 * (t1 - t0):.0f} ms (got {ev.brief()})")
        return t0, t1

    async def files_settled(self, paths: list[str], timeout: float = 5.0) -> None:
        """The recorders close their files after stop (another thread / process): wait until
        no size changes for 300 ms."""
        last, stable_since = None, time.monotonic()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sizes = [os.path.getsize(p) if os.path.exists(p) else -1 for p in paths]
            if sizes != last:
                last, stable_since = sizes, time.monotonic()
            elif time.monotonic() - stable_since >= 0.3:
                return
            await asyncio.sleep(0.05)

    # --- 70: recording of all four directions -------------------------------------------
    async def s70_record_all(self, res) -> None:
        h = self.master
        media = await self.av_media()
        sink = RtcpSink(self.lab.ns, self.lab.sip_ip, (UAS_MP + 1, VIDEO_RTCP_PORT))
        await sink.start()
        try:
            await self.record_all(res, h, media)
        finally:
            await sink.stop()

    async def record_all(self, res, h, media: dict) -> None:
        uas = await self.sipp("s70-uas", AV_XML, UAS_PORT, UAS_MP).start()
        peer = Peer(self.args.tone_hz, video=True)
        self.peers.append(peer)
        call_id = await self.answered_call(h, peer, self.uas_uri("avplay"))
        inv = uas.read("messages")
        inv = inv[inv.find("INVITE sip:"):]
        check("m=video" in inv and "a=rtpmap:96 VP8/90000" in inv,
              "the INVITE offers video with VP8 as PT 96 (what the UAS answers and its pcap carries)")
        await asyncio.sleep(1.0)   # media flowing both ways before the recorders start
        base = os.path.join(self.lab.sipp_dir, f"s70-rec-{self.args.plugin_label}")
        names = {k: f"{base}-{suffix}.mjr" for k, suffix, _ in DIRECTIONS}
        for p in names.values():
            if os.path.exists(p):
                os.unlink(p)
        cap = RtcpCapture(self.lab.ns, VIDEO_RTCP_PORT, os.path.join(self.lab.sipp_dir, "s70-rtcp.pcapng"), 3)
        await cap.start()
        try:
            t_pli0 = time.time()
            s0, s1 = await self.rec_request(h, {"action": "start", "audio": True, "video": True, "peer_audio": True,
                                                "peer_video": True, "filename": base})
            ps = await self.plugin_specific(h)
            rec = ps.get("recording", {})
            # 1.1.2 lists the recorder's file name without its directory; ours the whole path.
            want = {qk: os.path.basename(names[k]) for k, _, qk in DIRECTIONS}
            short = {qk: os.path.basename(v) for qk, v in rec.items()}
            check(short == want, f"query_session recording lists the 4 files ({json.dumps(rec, sort_keys=True)})")
            res.notes.append(f"query_session recording: {json.dumps(rec, sort_keys=True)}")
            pkts = await cap.packets()
        finally:
            await cap.stop()
        got = plis(pkts)
        check(len(got) >= 1, f"an RTCP PLI (PSFB FMT 1) reached the SIP peer's video RTCP port {VIDEO_RTCP_PORT} "
                             f"({len(got)} PLI(s) in {len(pkts)} datagram(s); first "
                             f"{1000 * (got[0][0] - t_pli0):.0f} ms after the start request)"
              if got else f"an RTCP PLI reached port {VIDEO_RTCP_PORT} (none in {len(pkts)} datagram(s))")
        vssrc = media.get("video", {}).get("ssrc")
        check(got[0][2] == vssrc, f"the PLI's media SSRC is the peer's video SSRC {vssrc:#x} (got {got[0][2]:#x}, "
                                  f"sender SSRC {got[0][1]:#x})")
        res.notes.append(f"PLIs to the peer: {len(got)} (+{1000 * (got[0][0] - t_pli0):.0f} ms), "
                         f"RTCP datagrams to :{VIDEO_RTCP_PORT}: {len(pkts)}")
        await asyncio.sleep(max(0.0, s1 + RECORD_S - time.monotonic()))
        ps = await self.plugin_specific(h)
        details = ps.get("rtpgate", {}).get("recordings")
        if not self.stock():
            states = {k: (v.get("state"), v.get("frames"), v.get("drops_ring"), v.get("drops_write"))
                      for k, v in (details or {}).items()}
            check(details is not None and len(details) == 4 and all(
                  v.get("state") == "open" and v.get("frames", 0) > 0 and v.get("drops_ring") == 0
                  and v.get("drops_write") == 0 for v in details.values()),
                  f"rtpgate.recordings: 4 open files with frames and no drops ({states})")
        e0, e1 = await self.rec_request(h, {"action": "stop", "audio": True, "video": True, "peer_audio": True,
                                            "peer_video": True})
        ps = await self.plugin_specific(h)
        check("recording" not in ps, f"no 'recording' in query_session after stop ({ps.get('recording')})")
        interval = e1 - s1
        res.notes.append(f"recording interval {interval:.3f} s (start answered in {1000 * (s1 - s0):.0f} ms, "
                         f"stop in {1000 * (e1 - e0):.0f} ms); browser decoded {peer.video_frames} peer video "
                         f"frames {peer.video_size}")
        await self.finish(h, uas, peer, call_id)
        self.expect_sequence(h, ["calling", "ringing", "proceeding(180)", "accepted+jsep:answer", "recordingupdated",
                                 "recordingupdated", "hangingup", "hangup(200 to BYE)"])
        await self.files_settled(list(names.values()))
        await self.check_files(res, names, interval, details)

    async def check_files(self, res, names: dict, interval: float, details: dict | None) -> None:
        for k, suffix, _ in DIRECTIONS:
            path = names[k]
            check(os.path.exists(path), f"{os.path.basename(path)} exists")
            m = read_mjr(path)
            hd = m["header"] or {}
            video = k.endswith("video")
            check(hd.get("t") == ("v" if video else "a") and hd.get("c") == ("vp8" if video else "pcmu"),
                  f"{suffix}: header t={hd.get('t')} c={hd.get('c')}, {m['frames']} frames, {m['bytes']} bytes, "
                  f"SSRCs {[hex(s) for s in m.get('ssrcs', [])]}, PTs {m.get('pts')}")
            rc, out = await run("janus-pp-rec", "--parse", path)
            check(rc == 0, f"janus-pp-rec --parse {os.path.basename(path)} exit {rc}" + ("" if rc == 0 else out[-300:]))
            dst = path[:-4] + (".webm" if video else ".wav")
            rc, out = await run("janus-pp-rec", path, dst, timeout=30)
            size = os.path.getsize(dst) if os.path.exists(dst) else 0
            check(rc == 0 and size > 0, f"janus-pp-rec -> {os.path.basename(dst)} exit {rc}, {size} bytes"
                  + ("" if rc == 0 else f": {out[-300:]}"))
            note = f"{suffix}: {m['frames']} frames, {m['bytes']} B, ts span {m['ts_span']}, stamps {m['ms_span']} ms"
            if video:
                note += ", " + self.webm_note(dst)
            else:
                w = wav_info(dst)
                want_hz = PEER_TONE_HZ if k == "peer_audio" else self.args.tone_hz
                diff = w["seconds"] - interval
                note += (f", wav {w['seconds']:.3f} s (interval {interval:.3f} s, diff {1000 * diff:+.0f} ms), "
                         f"peak {w['peak_hz']} Hz ({100 * w['tone_ratio']:.0f}%)")
                check(abs(diff) <= WAV_TOL_S, f"{suffix}.wav lasts {w['seconds']:.3f} s: the recording interval "
                                              f"{interval:.3f} s within {1000 * WAV_TOL_S:.0f} ms "
                                              f"(diff {1000 * diff:+.0f} ms)")
                check(abs(w["peak_hz"] - want_hz) <= 30 and w["tone_ratio"] >= 0.5,
                      f"{suffix}.wav carries the {'SIP peer' if k == 'peer_audio' else 'browser'}'s "
                      f"{want_hz:.0f} Hz tone (peak {w['peak_hz']} Hz, {100 * w['tone_ratio']:.0f}% of the energy, "
                      f"{w['dbfs']} dBFS)")
            if details and details.get(DIRECTIONS[[d[0] for d in DIRECTIONS].index(k)][2]):
                d = details[DIRECTIONS[[d[0] for d in DIRECTIONS].index(k)][2]]
                note += f"; query_session at {RECORD_S:.0f} s: {d.get('frames')} frames, {d.get('bytes')} B"
            res.notes.append(note)

    @staticmethod
    def webm_note(path: str) -> str:
        """Decode the .webm: frames decoded, and packets the decoder refused before the first
        key frame (the peer's video: sipp plays a pcap, key frames every 2 s, PLIs ignored)."""
        import av
        av.logging.set_level(av.logging.PANIC)   # "Discarding interframe without a prior keyframe!"
        n, refused, size, first_key = 0, 0, None, None
        try:
            with av.open(path) as c:
                s = c.streams.video[0]
                for i, pkt in enumerate(c.demux(s)):
                    if pkt.size == 0:
                        continue
                    if first_key is None and pkt.is_keyframe:
                        first_key = i
                    try:
                        for f in pkt.decode():
                            n += 1
                            size = (f.width, f.height)
                    except av.AVError:
                        refused += 1
                codec = s.codec_context.name
        except av.AVError as e:
            raise CheckFailed(f"{os.path.basename(path)} does not open: {e}")
        check(n > 0 and first_key is not None,
              f"{os.path.basename(path)}: {n} decodable {codec} frames {size}, first key frame at packet {first_key}, "
              f"{refused} refused before it")
        return f"webm {n} frames {size} (first key frame at packet {first_key}, {refused} refused)"

    # --- 71: recording errors -------------------------------------------------------------
    async def rec_error(self, h, body: dict, code: int, text: str) -> None:
        try:
            ev = await h.request({"request": "recording", **body}, timeout=10)
            raise CheckFailed(f"recording {json.dumps(body)} answered {ev.brief()}, not error {code}")
        except JanusError as e:
            check(f"plugin error {code}: {text}" == str(e).split("recording: ", 1)[-1],
                  f"recording {json.dumps(body, sort_keys=True)} -> error {code} '{text}' (got '{e}')")

    async def s71_record_errors(self, res) -> None:
        h = self.master
        await self.rec_error(h, {"action": "start", "audio": True}, 0, "Wrong state (not in a call?)")
        uas = await self.sipp("s71-uas", "uas_echo.xml", UAS_PORT, UAS_MP, echo=True).start()
        peer = self.peer()
        call_id = await self.answered_call(h, peer, self.uas_uri())
        await self.rec_error(h, {"action": "bogus", "audio": True}, 444,
                             "Invalid action (should be start|stop|pause|resume)")
        await self.rec_error(h, {"action": "start"}, 451, "Invalid request (at least one of audio, video, "
                                                         "peer_audio and peer_video should be true)")
        await self.rec_error(h, {"action": "start", "audio": False, "peer_audio": False}, 451,
                             "Invalid request (at least one of audio, video, peer_audio and peer_video should be true)")
        await self.rec_request(h, {"action": "stop", "audio": True})   # stop never errors
        await self.finish(h, uas, peer, call_id)
        self.expect_sequence(h, ["error(0 Wrong state (not in a call?))", "calling", "ringing", "proceeding(180)",
                                 "accepted+jsep:answer",
                                 "error(444 Invalid action (should be start|stop|pause|resume))",
                                 "error(451 Invalid request (at least one of audio, video, peer_audio and "
                                 "peer_video should be true))",
                                 "error(451 Invalid request (at least one of audio, video, peer_audio and "
                                 "peer_video should be true))",
                                 "recordingupdated", "hangingup", "hangup(200 to BYE)"])

    SCENARIOS: list[tuple[int, str, str]] = [
        (70, "recording of all four directions: .mjr -> janus-pp-rec wav/webm, tones, PLI to the peer",
         "s70_record_all"),
        (71, "recording errors: not in a call (0), bad action (444), no medium (451)", "s71_record_errors"),
    ]
