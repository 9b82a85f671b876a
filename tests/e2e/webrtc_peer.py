"""The "browser" of the e2e scenarios: an aiortc PeerConnection that sends a tone
(tone.ToneTrack) and checks the tone that comes back on its one remote audio track."""

from __future__ import annotations

import asyncio
import time

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from e2e_check import check
from first_call import wait_ice
from tone import ToneReceiver, ToneTrack


class Peer:
    """An aiortc PeerConnection that sends the tone and receives one audio track."""

    def __init__(self, tone_hz: float):
        self.tone_hz = tone_hz
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.tracks: asyncio.Queue = asyncio.Queue()
        self.track = None
        self.pc.on("track", lambda tr: self.tracks.put_nowait(tr))
        self.pc.addTrack(ToneTrack(tone_hz))

    async def offer(self) -> dict:
        await asyncio.wait_for(self.pc.setLocalDescription(await self.pc.createOffer()), 10)
        return {"type": "offer", "sdp": self.pc.localDescription.sdp, "trickle": False}

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
        try:
            await asyncio.wait_for(self.pc.close(), 5)
        except Exception:  # noqa: BLE001 - best effort
            pass
