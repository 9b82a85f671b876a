#!/usr/bin/python3
"""Media for sipp's play_pcap_audio / play_pcap_video (tests/e2e/sipp/uas_av_play.xml):

    gen_av_pcap.py OUT_DIR [--seconds 20] [--freq 1000] [--fps 15] [--size 320x240]
                   [--keyint 2] [--bitrate 300000]

writes OUT_DIR/audio.pcap (G.711 mu-law, PT 0, 8 kHz, one 160-byte packet every 20 ms, a
sine of --freq Hz), OUT_DIR/audio.ulaw (the same mu-law bytes without headers, for sipp's
rtp_stream action), OUT_DIR/video.pcap (real VP8 from libvpx through aiortc's Vp8Encoder:
a moving test pattern, PT 96, 90 kHz clock, a key frame at the start and every --keyint
seconds, marker bit on the last packet of each frame) and OUT_DIR/stop.pcap (no packets:
playing it cancels a running pcap play), and prints one JSON summary line.

Why the files look the way they do (sipp 3.6 prepare_pcap.c / send_packets.c):
  - link type Ethernet (DLT_EN10MB; Linux cooked also works), IPv4, UDP, every record
    complete (caplen == len), UDP datagram <= 1500 bytes (PCAP_MAXPACKET): VP8 payloads
    are at most 1300 bytes (aiortc's PACKET_MAX), so datagrams stay under 1320;
  - sipp sends each UDP payload to <peer m= port> + (pcap dst port - lowest dst port of
    the file) from <our [media_port] of that m= line> + the same offset, so every packet
    of a file has the same destination port: all of it goes to the peer's m= port;
  - sipp paces packets by the pcap timestamps (gaps from the first record), so records
    carry the real frame / packet times; sipp rewrites the UDP checksum, ours is 0.
sipp 3.6 runs one pcap play per call at a time (a second play_pcap_* cancels the first), so
uas_av_play.xml plays video.pcap with play_pcap_video and the audio with rtp_stream
(audio.ulaw); audio.pcap serves audio-only plays and as the reference stream.
Every RTP field is deterministic (fixed SSRC, sequence and timestamp bases) so that a test
can recognise the streams. Needs python3-aiortc and python3-av (Debian: /usr/bin/python3)."""

from __future__ import annotations

import argparse
import fractions
import json
import math
import os
import struct

AUDIO_SSRC, VIDEO_SSRC = 0x5A0D1000, 0x5A0D2000  # fixed so tests can tell the streams apart
AUDIO_SEQ0, VIDEO_SEQ0 = 1000, 2000
AUDIO_TS0, VIDEO_TS0 = 160000, 900000
AUDIO_PT, VIDEO_PT = 0, 96
AUDIO_PORTS, VIDEO_PORTS = (6000, 6000), (6002, 6002)  # (src, dst) in the pcap; see above
PCAP_T0 = 1_700_000_000  # fixed capture start: identical inputs give identical files
VIDEO_CLOCK_HZ, AUDIO_RATE_HZ, AUDIO_PTIME_MS = 90000, 8000, 20
VIDEO_PACKET_GAP_US = 100  # packets of one frame leave 100 us apart, not in one burst


class PcapWriter:
    """Classic libpcap file (v2.4, microsecond stamps, Ethernet) of IPv4/UDP datagrams."""

    def __init__(self, path: str, ports: tuple[int, int]):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.sport, self.dport = ports
        self.ip_id = 0
        self.records = 0
        self.bytes = 24

    def write(self, t_us: int, payload: bytes) -> None:
        udp = struct.pack("!HHHH", self.sport, self.dport, 8 + len(payload), 0) + payload
        ip = self._ipv4_header(len(udp)) + udp
        frame = bytes.fromhex("020000000002" "020000000001") + b"\x08\x00" + ip
        sec, usec = divmod(t_us, 1_000_000)
        self.f.write(struct.pack("<IIII", PCAP_T0 + sec, usec, len(frame), len(frame)) + frame)
        self.records += 1
        self.bytes += 16 + len(frame)

    def _ipv4_header(self, udp_len: int) -> bytes:
        self.ip_id = (self.ip_id + 1) & 0xFFFF
        src, dst = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])  # TEST-NET-1
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + udp_len, self.ip_id, 0x4000, 64, 17, 0, src, dst)
        s = sum(struct.unpack("!10H", hdr))
        s = (s & 0xFFFF) + (s >> 16)
        s = (s & 0xFFFF) + (s >> 16)
        return hdr[:10] + struct.pack("!H", ~s & 0xFFFF) + hdr[12:]

    def close(self) -> None:
        self.f.close()


def write_empty(path: str) -> dict:
    PcapWriter(path, (0, 0)).close()
    return {"file": path, "packets": 0, "bytes": 24}


def rtp(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, marker: bool) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc) + payload


def ulaw_byte(sample: int) -> int:
    """G.711 mu-law of one signed 16-bit sample (the classic biased-segment encoder)."""
    sign = 0x80 if sample < 0 else 0
    mag = min(abs(sample), 32635) + 0x84
    exponent = (mag >> 7).bit_length() - 1
    mantissa = (mag >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def write_audio(path: str, raw_path: str, seconds: float, freq_hz: float, level: float) -> dict:
    spp = AUDIO_RATE_HZ * AUDIO_PTIME_MS // 1000
    packets = int(round(seconds * 1000 / AUDIO_PTIME_MS))
    step = 2 * math.pi * freq_hz / AUDIO_RATE_HZ
    w = PcapWriter(path, AUDIO_PORTS)
    with open(raw_path, "wb") as raw:
        for i in range(packets):
            n0 = i * spp
            body = bytes(ulaw_byte(int(round(level * 32767 * math.sin(step * (n0 + k))))) for k in range(spp))
            raw.write(body)
            w.write(i * AUDIO_PTIME_MS * 1000, rtp(AUDIO_PT, AUDIO_SEQ0 + i, AUDIO_TS0 + n0, AUDIO_SSRC, body, i == 0))
    w.close()
    return {"file": path, "raw_file": raw_path, "packets": w.records, "bytes": w.bytes, "raw_bytes": packets * spp,
            "pt": AUDIO_PT, "ssrc": AUDIO_SSRC, "ptime_ms": AUDIO_PTIME_MS, "payload_len": spp, "freq_hz": freq_hz}


def pattern(np, width: int, height: int, i: int, fps: float):
    """RGB frame: eight colour bars scrolling left, a white square bouncing across them and
    a grey band whose brightness follows time, so that every frame differs from the last."""
    bars = np.array([[255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0],
                     [255, 0, 255], [255, 0, 0], [0, 0, 255], [16, 16, 16]], dtype=np.uint8)
    x = (np.arange(width) + 4 * i) % width
    img = np.repeat(bars[(x * 8 // width)][None, :, :], height, axis=0)
    side = max(8, height // 6)
    span_x, span_y = width - side, height - side
    bx = int(abs((6 * i) % (2 * span_x) - span_x))
    by = int(abs((4 * i) % (2 * span_y) - span_y))
    img[by:by + side, bx:bx + side] = 255
    img[height - height // 8:, :] = int(128 + 100 * math.sin(2 * math.pi * i / fps / 4))
    return img


def write_video(path: str, seconds: float, fps: float, width: int, height: int, keyint_s: float,
                bitrate_bps: int) -> dict:
    import numpy as np
    from aiortc.codecs.vpx import Vp8Encoder
    from av import VideoFrame

    enc = Vp8Encoder()
    enc.target_bitrate = bitrate_bps  # aiortc clamps it to 250 kbps .. 1.5 Mbps
    enc.picture_id = 0  # deterministic VP8 payload descriptors
    enc.timestamp_increment = int(round(VIDEO_CLOCK_HZ / fps))  # frame duration for rate control (aiortc assumes 30 fps)
    frames = int(round(seconds * fps))
    key_every = max(1, int(round(keyint_s * fps)))
    w = PcapWriter(path, VIDEO_PORTS)
    seq, keyframes, max_payload = VIDEO_SEQ0, 0, 0
    for i in range(frames):
        frame = VideoFrame.from_ndarray(pattern(np, width, height, i, fps), format="rgb24")
        frame.pts = int(round(i * VIDEO_CLOCK_HZ / fps))
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK_HZ)
        payloads, ts = enc.encode(frame, force_keyframe=(i % key_every == 0))
        if payloads and is_vp8_keyframe(payloads[0]):
            keyframes += 1
        t_us = int(round(i * 1_000_000 / fps))
        for k, p in enumerate(payloads):
            last = k == len(payloads) - 1
            w.write(t_us + k * VIDEO_PACKET_GAP_US, rtp(VIDEO_PT, seq, VIDEO_TS0 + ts, VIDEO_SSRC, p, last))
            seq += 1
            max_payload = max(max_payload, len(p))
    w.close()
    return {"file": path, "packets": w.records, "bytes": w.bytes, "pt": VIDEO_PT, "ssrc": VIDEO_SSRC,
            "frames": frames, "keyframes": keyframes, "fps": fps, "size": f"{width}x{height}",
            "max_payload": max_payload}


def is_vp8_keyframe(payload: bytes) -> bool:
    """RFC 7741: skip the payload descriptor, then bit 0 of the VP8 frame tag is 0 on a key frame."""
    pos = 1
    if payload[0] & 0x80:  # X: extension byte
        ext = payload[1]
        pos = 2
        if ext & 0x80:  # I: picture id, 1 or 2 bytes
            pos += 2 if payload[pos] & 0x80 else 1
        if ext & 0x40:  # L: TL0PICIDX
            pos += 1
        if ext & 0x30:  # T or K: TID/KEYIDX byte
            pos += 1
    return (payload[pos] & 0x01) == 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--seconds", type=float, default=20.0, help="length of both streams (default 20)")
    ap.add_argument("--freq", type=float, default=1000.0, help="audio tone in Hz (default 1000)")
    ap.add_argument("--level", type=float, default=0.3, help="tone amplitude, 0..1 of full scale")
    ap.add_argument("--fps", type=float, default=15.0)
    ap.add_argument("--size", default="320x240", help="WIDTHxHEIGHT, both even")
    ap.add_argument("--keyint", type=float, default=2.0, help="seconds between key frames")
    ap.add_argument("--bitrate", type=int, default=300000, help="VP8 target bits/s (250k..1.5M)")
    ap.add_argument("--no-video", action="store_true")
    ap.add_argument("--no-audio", action="store_true")
    a = ap.parse_args()
    width, height = (int(v) for v in a.size.lower().split("x"))
    os.makedirs(a.out_dir, exist_ok=True)
    out = {}
    if not a.no_audio:
        out["audio"] = write_audio(os.path.join(a.out_dir, "audio.pcap"), os.path.join(a.out_dir, "audio.ulaw"),
                                   a.seconds, a.freq, a.level)
    if not a.no_video:
        out["video"] = write_video(os.path.join(a.out_dir, "video.pcap"), a.seconds, a.fps, width, height,
                                   a.keyint, a.bitrate)
    out["stop"] = write_empty(os.path.join(a.out_dir, "stop.pcap"))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
