#!/usr/bin/python3
"""Plain RTP for the media scenarios (scn_media.py), run inside the SIP peers' namespace:

    media_rtp.py send --to IP:PORT [--from-port P] --pcmu N --dtmf 1,5,#  --dtmf-pt 101
        N PCMU packets (PT 0, 20 ms apart), then each digit as RFC 4733 telephone-event
        packets: 6 with the same timestamp and a growing duration, the last 3 with the
        end bit (redundant ends), then N PCMU packets again. Prints one JSON line:
        {"sent": n, "digits": [{"signal": "1", "duration": 960}, ...], "ssrc": s}.
    media_rtp.py listen --ip IP --port PORT --seconds S [--srtp-key B64]
        Counts the RTP datagrams received for S seconds; prints
        {"count": n, "ssrcs": [...], "pts": [...], "lens": [...], "first_seq": n}; with
        --srtp-key (AES_CM_128_HMAC_SHA1_80 master key + salt) also "decrypted": how many
        libsrtp (pylibsrtp) authenticated and decrypted, and "plain_lens" of those.
Bounded: every loop has a fixed count or deadline."""

from __future__ import annotations

import argparse
import json
import random
import socket
import struct
import time

EVENTS = "0123456789*#ABCD"


def rtp(pt: int, seq: int, ts: int, ssrc: int, payload: bytes, marker: bool = False) -> bytes:
    return struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt, seq & 0xffff, ts & 0xffffffff, ssrc) + payload


def send(args: argparse.Namespace) -> dict:
    host, port = args.to.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if args.from_port:
        s.bind(("", args.from_port))
    ssrc = random.getrandbits(32) or 1
    seq, ts, sent = random.getrandbits(16), random.getrandbits(32), 0
    digits = []

    def out(pkt: bytes) -> None:
        nonlocal sent
        s.sendto(pkt, (host, int(port)))
        sent += 1
        time.sleep(0.02)

    def pcmu(n: int) -> None:
        nonlocal seq, ts
        for _ in range(n):
            out(rtp(0, seq, ts, ssrc, b"\xff" * 160))
            seq, ts = seq + 1, ts + 160

    pcmu(args.pcmu)
    for d in [x for x in args.dtmf.split(",") if x]:
        ev = EVENTS.index(d) if d in EVENTS else int(d)
        duration = 0
        for i in range(6):
            end = i >= 3
            if i < 4:
                duration += 160 * 2
            body = struct.pack("!BBH", ev, (0x80 if end else 0) | 10, duration)
            out(rtp(args.dtmf_pt, seq, ts, ssrc, body, marker=(i == 0)))
            seq += 1
        digits.append({"signal": d, "duration": duration})
        ts += duration
        pcmu(args.pcmu)
    return {"sent": sent, "digits": digits, "ssrc": ssrc}


def listen(args: argparse.Namespace) -> dict:
    srtp = None
    if args.srtp_key:
        import base64

        from pylibsrtp import Error, Policy, Session
        srtp = Session(Policy(key=base64.b64decode(args.srtp_key), ssrc_type=Policy.SSRC_ANY_INBOUND,
                              srtp_profile=Policy.SRTP_PROFILE_AES128_CM_SHA1_80))
    decrypted, plain_lens = 0, set()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((args.ip, args.port))
    deadline = time.monotonic() + args.seconds
    count, ssrcs, pts, lens, first_seq = 0, set(), set(), set(), None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data = s.recv(2048)
        except socket.timeout:
            break
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        count += 1
        ssrcs.add(struct.unpack("!I", data[8:12])[0])
        pts.add(data[1] & 0x7f)
        lens.add(len(data))
        if srtp is not None:
            try:
                plain = srtp.unprotect(data)
                decrypted += 1
                plain_lens.add(len(plain))
            except Error:
                pass
        if first_seq is None:
            first_seq = struct.unpack("!H", data[2:4])[0]
    out = {"count": count, "ssrcs": sorted(ssrcs), "pts": sorted(pts), "lens": sorted(lens), "first_seq": first_seq}
    if srtp is not None:
        out.update(decrypted=decrypted, plain_lens=sorted(plain_lens))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("send")
    a.add_argument("--to", required=True)
    a.add_argument("--from-port", type=int, default=0)
    a.add_argument("--pcmu", type=int, default=10)
    a.add_argument("--dtmf", default="")
    a.add_argument("--dtmf-pt", type=int, default=101)
    b = sub.add_parser("listen")
    b.add_argument("--ip", required=True)
    b.add_argument("--port", type=int, required=True)
    b.add_argument("--seconds", type=float, default=5.0)
    b.add_argument("--srtp-key", default="")
    args = ap.parse_args()
    print(json.dumps(send(args) if args.cmd == "send" else listen(args)), flush=True)


if __name__ == "__main__":
    main()
