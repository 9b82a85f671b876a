"""Test tone for the end-to-end call: an aiortc audio track that plays a sine (1 kHz by
default, 48 kHz, 20 ms frames, paced in real time) and a receiver that collects the decoded
audio of a remote track and finds its dominant frequency with a numpy FFT."""

from __future__ import annotations

import asyncio
import fractions
import math
import time
from dataclasses import dataclass

import numpy as np
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack
from av import AudioFrame


class ToneTrack(MediaStreamTrack):
    """Mono s16 sine, phase-continuous across frames, paced like aiortc's AudioStreamTrack."""

    kind = "audio"

    def __init__(self, freq_hz: float = 1000.0, rate_hz: int = 48000, ptime_ms: int = 20, level: float = 0.3):
        super().__init__()
        self.freq_hz = freq_hz
        self.rate_hz = rate_hz
        self.samples = rate_hz * ptime_ms // 1000
        self.level = level
        self.frames_sent = 0
        self._phase = 0.0
        self._start: float | None = None
        self._pts = 0

    async def recv(self) -> AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        if self._start is None:
            self._start = time.monotonic()
        else:
            self._pts += self.samples
            wait = self._start + self._pts / self.rate_hz - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        step = 2 * math.pi * self.freq_hz / self.rate_hz
        phases = self._phase + step * np.arange(self.samples)
        self._phase = float((self._phase + step * self.samples) % (2 * math.pi))
        pcm = (np.sin(phases) * self.level * 32767).astype("<i2")
        frame = AudioFrame(format="s16", layout="mono", samples=self.samples)
        frame.planes[0].update(pcm.tobytes())
        frame.pts = self._pts
        frame.sample_rate = self.rate_hz
        frame.time_base = fractions.Fraction(1, self.rate_hz)
        self.frames_sent += 1
        return frame


@dataclass
class ToneReport:
    frames: int             # decoded frames analysed (after the warm-up)
    seconds: float          # audio analysed
    rate_hz: int            # sample rate of the decoded audio
    peak_hz: float          # dominant frequency (interpolated)
    tone_ratio: float       # energy within +-50 Hz of the peak / total energy (0..1)
    rms_dbfs: float         # level of the analysed audio
    first_frame_s: float    # time from start() to the first decoded frame

    def ok(self, freq_hz: float = 1000.0, tol_hz: float = 30.0, min_ratio: float = 0.5) -> bool:
        return abs(self.peak_hz - freq_hz) <= tol_hz and self.tone_ratio >= min_ratio

    def __str__(self) -> str:
        return (f"peak {self.peak_hz:.1f} Hz, tone energy {100 * self.tone_ratio:.1f}%, level {self.rms_dbfs:.1f} dBFS, "
                f"{self.frames} frames / {self.seconds:.2f} s at {self.rate_hz} Hz, first frame after {self.first_frame_s:.2f} s")


def analyse(samples: np.ndarray, rate_hz: int, band_hz: float = 50.0) -> tuple[float, float, float]:
    """Return (peak_hz, tone_ratio, rms_dbfs) of mono float samples in [-1, 1]."""
    if samples.size < 64:
        raise ValueError("not enough audio to analyse")
    x = samples - samples.mean()
    rms = float(np.sqrt(np.mean(x * x)))
    rms_dbfs = 20 * math.log10(rms) if rms > 0 else -math.inf
    spec = np.abs(np.fft.rfft(x * np.hanning(x.size))) ** 2
    spec[0] = 0.0
    k = int(np.argmax(spec))
    delta = 0.0
    if 0 < k < spec.size - 1:  # parabolic interpolation on the log spectrum
        a, b, c = np.log(spec[k - 1:k + 2] + 1e-30)
        denom = a - 2 * b + c
        if denom != 0:
            delta = 0.5 * (a - c) / denom
    bin_hz = rate_hz / x.size
    peak_hz = (k + delta) * bin_hz
    half = max(1, int(round(band_hz / bin_hz)))
    total = float(spec.sum())
    tone = float(spec[max(0, k - half):k + half + 1].sum())
    return peak_hz, (tone / total if total > 0 else 0.0), rms_dbfs


def frame_to_mono(frame: AudioFrame) -> np.ndarray:
    """Decoded aiortc frame (packed s16, any channel count) -> mono float in [-1, 1]."""
    a = frame.to_ndarray()
    channels = len(frame.layout.channels)
    if frame.format.is_planar:
        a = a.reshape(channels, -1).mean(axis=0)
    else:
        a = a.reshape(-1, channels).mean(axis=1)
    scale = 32768.0 if frame.format.name.startswith("s16") else 1.0
    return a.astype(np.float64) / scale


class ToneReceiver:
    """Pulls frames from a remote track in the background; analyse() reports the tone."""

    def __init__(self, track: MediaStreamTrack, warmup_frames: int = 10):
        self.track = track
        self.warmup_frames = warmup_frames
        self.frames = 0
        self.rate_hz = 0
        self._chunks: list[np.ndarray] = []
        self._t0 = time.monotonic()
        self._first: float | None = None
        self._task: asyncio.Task | None = None
        self.error: Exception | None = None

    def start(self) -> None:
        self._t0 = time.monotonic()
        self._task = asyncio.create_task(self._run(), name="tone-receiver")

    async def _run(self) -> None:
        try:
            while True:
                frame = await self.track.recv()
                if self._first is None:
                    self._first = time.monotonic() - self._t0
                self.frames += 1
                if self.frames <= self.warmup_frames:
                    continue
                self.rate_hz = frame.sample_rate
                self._chunks.append(frame_to_mono(frame))
        except MediaStreamError:
            pass
        except Exception as e:  # noqa: BLE001 - reported by analyse()
            self.error = e

    @property
    def analysed_frames(self) -> int:
        return len(self._chunks)

    async def wait_frames(self, n: int, timeout: float) -> bool:
        """Wait until N frames (after the warm-up) were collected; False on timeout."""
        deadline = time.monotonic() + timeout
        while len(self._chunks) < n:
            if self.error or time.monotonic() > deadline or (self._task and self._task.done()):
                return False
            await asyncio.sleep(0.05)
        return True

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass

    def report(self) -> ToneReport:
        if self.error:
            raise self.error
        if not self._chunks:
            raise ValueError(f"no audio received ({self.frames} frames in warm-up)")
        x = np.concatenate(self._chunks)
        peak, ratio, dbfs = analyse(x, self.rate_hz)
        return ToneReport(len(self._chunks), x.size / self.rate_hz, self.rate_hz, peak, ratio, dbfs,
                          self._first if self._first is not None else math.nan)


if __name__ == "__main__":  # self-check of the analysis: 1 kHz at 8 kHz and 48 kHz, plus noise
    rng = np.random.default_rng(1)
    for rate in (8000, 48000):
        t = np.arange(rate) / rate
        sig = 0.3 * np.sin(2 * math.pi * 1000 * t) + 0.01 * rng.standard_normal(t.size)
        p, r, d = analyse(sig, rate)
        print(f"{rate} Hz: peak {p:.2f} Hz, ratio {r:.3f}, {d:.1f} dBFS")
        assert abs(p - 1000) < 2 and r > 0.9
