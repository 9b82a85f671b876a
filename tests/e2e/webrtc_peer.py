"""The "browser" of the e2e scenarios: an aiortc PeerConnection that sends a tone
(tone.ToneTrack) and checks the tone that comes back on its one remote audio track.
With video=True it also sends a VP8 test pattern (PatternTrack) and counts the video
frames it decodes; its offer then carries VP8 alone, as payload type `video_pt`."""

from __future__ import annotations

import asyncio
import re
import time

import numpy as np
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from aiortc.mediastreams import MediaStreamError
from av import VideoFrame

from e2e_check import check
from first_call import wait_ice
from tone import ToneReceiver, ToneTrack


class PatternTrack(VideoStreamTrack):
    """Colour bars scrolling one step per frame (aiortc paces it: 30 fps, 90 kHz clock)."""

    def __init__(self, width: int = 320, height: int = 240):
        super().__init__()
        bars = np.array([[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0],
                         [255, 0, 255], [255, 0, 0], [0, 0, 255], [16, 16, 16]], dtype=np.uint8)
        self.base = np.repeat(bars[np.arange(width) * 8 // width][None, :, :], height, axis=0)
        self.frames_sent = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame.from_ndarray(np.roll(self.base, 4 * self.frames_sent, axis=1), format="rgb24")
        frame.pts, frame.time_base = pts, time_base
        self.frames_sent += 1
        return frame


def vp8_only(sdp: str, pt: int) -> str:
    """The offer's m=video section with VP8 alone, renumbered to PT (aiortc numbers it 97 and
    adds rtx and H.264): what a SIP peer answering VP8/96 expects; rtx's SSRC goes too. aiortc keeps the answer's
    dynamic PT for VP8 (find_common_codecs), so sending and receiving both use PT."""
    out, in_video, vp8, rtx_ssrc = [], False, None, None
    for ln in sdp.split("\r\n"):
        if in_video and ln.startswith("a=ssrc-group:FID "):
            rtx_ssrc = ln.split()[-1]   # no rtx without its PT: drop the group and its SSRC
            continue
        if in_video and rtx_ssrc and ln.startswith(f"a=ssrc:{rtx_ssrc} "):
            continue
        if ln.startswith("m="):
            in_video = ln.startswith("m=video")
            if in_video:
                m = re.search(r"a=rtpmap:(\d+) VP8/90000", sdp[sdp.find(ln):])
                vp8 = m.group(1) if m else None
                if vp8 is not None:
                    ln = " ".join(ln.split(" ")[:3] + [str(pt)])
        elif in_video and vp8 is not None:
            m = re.match(r"a=(rtpmap|fmtp|rtcp-fb):(\d+)(.*)", ln)
            if m:
                if m.group(2) != vp8:
                    continue
                ln = f"a={m.group(1)}:{pt}{m.group(3)}"
        out.append(ln)
    return "\r\n".join(out)


class Peer:
    """An aiortc PeerConnection that sends the tone and receives one audio track (and, with
    video=True, sends PatternTrack and decodes the remote video track)."""

    def __init__(self, tone_hz: float, video: bool = False, video_pt: int = 96):
        self.tone_hz = tone_hz
        self.video, self.video_pt = video, video_pt
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.tracks: asyncio.Queue = asyncio.Queue()
        self.track = None
        self.video_frames = 0          # remote video frames decoded
        self.video_size: tuple[int, int] | None = None
        self._video_task: asyncio.Task | None = None
        self.pc.on("track", self._on_track)
        self.pc.addTrack(ToneTrack(tone_hz))
        self.pattern = PatternTrack() if video else None
        if self.pattern is not None:
            self.pc.addTrack(self.pattern)

    def _on_track(self, tr) -> None:
        if tr.kind == "video":
            self._video_task = asyncio.ensure_future(self._sink_video(tr))
        else:
            self.tracks.put_nowait(tr)

    async def _sink_video(self, tr) -> None:
        try:
            while True:
                f = await tr.recv()
                self.video_frames += 1
                self.video_size = (f.width, f.height)
        except (MediaStreamError, asyncio.CancelledError):
            pass

    async def offer(self) -> dict:
        await asyncio.wait_for(self.pc.setLocalDescription(await self.pc.createOffer()), 10)
        sdp = self.pc.localDescription.sdp
        if self.video:
            sdp = vp8_only(sdp, self.video_pt)
        return {"type": "offer", "sdp": sdp, "trickle": False}

    async def answer_to(self, offer_sdp: str) -> dict:
        await asyncio.wait_for(self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer")), 10)
        await asyncio.wait_for(self.pc.setLocalDescription(await self.pc.createAnswer()), 10)
        return {"type": "answer", "sdp": self.pc.localDescription.sdp, "trickle": False}

    async def set_answer(self, sdp: str) -> None:
        await asyncio.wait_for(self.pc.setRemoteDescription(RTCSessionDescription(sdp, "answer")), 10)

    async def connected(self, timeout: float = 10) -> None:
        t = time.monotonic()
        await wait_ice(self.pc, timeout)
        check(True, f"ICE + DTLS connected after {1000 * (time.monotonic() - t):.0f} ms")

    async def tone(self, what: str, listen_ms: int = 1000, timeout: float = 8.0) -> dict:
        if self.track is None:
            self.track = await asyncio.wait_for(self.tracks.get(), timeout)
        rx = ToneReceiver(self.track, warmup_frames=10)
        rx.start()
        need = max(1, listen_ms // 20)
        got = await rx.wait_frames(need, timeout)
        await rx.stop()
        check(got, f"{what}: {need} frames of audio came back within {timeout:.0f} s (got {rx.analysed_frames})")
        rep = rx.report()
        check(rep.ok(self.tone_hz, 30.0, 0.5), f"{what}: tone {rep}")
        return {"peak_hz": round(rep.peak_hz, 1), "tone_ratio": round(rep.tone_ratio, 3),
                "first_frame_ms": round(1000 * rep.first_frame_s)}

    async def close(self) -> None:
        if self._video_task is not None:
            self._video_task.cancel()
        try:
            await asyncio.wait_for(self.pc.close(), 5)
        except Exception:  # noqa: BLE001 - best effort
            pass
