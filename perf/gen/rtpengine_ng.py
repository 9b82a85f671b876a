#!/usr/bin/env python3
"""Sets up N/2 calls in rtpengine through its ng control protocol (bencode over UDP) for
rtpgate-perf's kernel engine: both parties of every call are the generator's socket
(PEER_IP:PEER_PORT), and the ports rtpengine allocates are written one per line, in flow
order (flow 2c sends to the port rtpengine offers the caller of call c, flow 2c+1 to the
callee's), to OUT. See perf/README.md.

usage: rtpengine_ng.py --ng HOST:PORT --flows N --peer IP:PORT --out FILE [--ping-timeout S]
"""
import argparse
import os
import re
import socket
import sys
import time


def bencode(v):
    if isinstance(v, int):
        return b"i%de" % v
    if isinstance(v, str):
        v = v.encode()
    if isinstance(v, bytes):
        return b"%d:%s" % (len(v), v)
    if isinstance(v, list):
        return b"l" + b"".join(bencode(x) for x in v) + b"e"
    if isinstance(v, dict):
        return b"d" + b"".join(bencode(k) + bencode(v[k]) for k in sorted(v)) + b"e"
    raise TypeError(type(v))


def bdecode(b, i=0):
    c = b[i:i + 1]
    if c == b"i":
        j = b.index(b"e", i)
        return int(b[i + 1:j]), j + 1
    if c in (b"l", b"d"):
        i += 1
        items = []
        while b[i:i + 1] != b"e":
            x, i = bdecode(b, i)
            items.append(x)
        if c == b"l":
            return items, i + 1
        return {items[k].decode(): items[k + 1] for k in range(0, len(items), 2)}, i + 1
    j = b.index(b":", i)
    n = int(b[i:j])
    return b[j + 1:j + 1 + n], j + 1 + n


class Ng:
    def __init__(self, addr):
        self.addr = addr
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.settimeout(2.0)
        self.n = 0

    def call(self, msg):
        self.n += 1
        cookie = b"%d_%d" % (os.getpid(), self.n)
        self.sock.sendto(cookie + b" " + bencode(msg), self.addr)
        while True:
            data, _ = self.sock.recvfrom(65536)
            c, _, body = data.partition(b" ")
            if c == cookie:
                reply, _ = bdecode(body)
                return reply


def sdp(ip, port, sess):
    return (f"v=0\r\no=- {sess} 1 IN IP4 {ip}\r\ns=rtpgate-perf\r\nc=IN IP4 {ip}\r\nt=0 0\r\n"
            f"m=audio {port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n")


def media_port(reply):
    if reply.get("result") != b"ok":
        raise RuntimeError(f"rtpengine: {reply}")
    m = re.search(rb"m=audio (\d+) ", reply["sdp"])
    if not m:
        raise RuntimeError(f"no m=audio in {reply['sdp']!r}")
    return int(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ng", required=True)
    ap.add_argument("--flows", type=int, required=True)
    ap.add_argument("--peer", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--ping-timeout", type=float, default=20)
    a = ap.parse_args()
    host, port = a.ng.rsplit(":", 1)
    peer_ip, peer_port = a.peer.rsplit(":", 1)
    ng = Ng((host, int(port)))
    deadline = time.monotonic() + a.ping_timeout
    while True:
        try:
            if ng.call({"command": "ping"}).get("result") == b"pong":
                break
        except (socket.timeout, ConnectionRefusedError):
            pass
        if time.monotonic() > deadline:
            sys.exit("rtpengine_ng: no answer to ping")
        time.sleep(0.2)
    ports = []
    t0 = time.monotonic()
    for c in range(a.flows // 2):
        common = {"call-id": f"perf-{c}", "from-tag": f"a{c}", "replace": ["origin"]}
        to_callee = media_port(ng.call(dict(common, command="offer", sdp=sdp(peer_ip, peer_port, c))))
        to_caller = media_port(ng.call(dict(common, command="answer", sdp=sdp(peer_ip, peer_port, c),
                                            **{"to-tag": f"b{c}"})))
        ports += [to_caller, to_callee]  # flow 2c: caller -> callee, flow 2c+1: callee -> caller
    with open(a.out, "w") as f:
        f.write("".join(f"{p}\n" for p in ports))
    print(f"rtpengine_ng: {a.flows // 2} calls in {time.monotonic() - t0:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
