#!/usr/bin/python3
"""Soak (issue 10): N concurrent calls, one after another on each of N lanes, for a fixed
time, through Janus with libjanus_rtpgate.so and rtpgate-dataplane to the echoing sipp UAS.
Each lane: a new handle (guest registration), a call, the echoed tone checked, the call held
for --call-seconds, its relay counters read (Admin API handle_info), hangup, handle detached.

At the end it checks:
  - every call carried the tone both ways and no flow of any call dropped a packet
    (per-flow drop counters of the data plane, read while the call ran);
  - the relay lost nothing: the data plane's resource drops (TX or control ring full, no
    mbuf, no neighbour, NIC drops) and the plugin's send/receive drops did not move, and no
    command to the data plane failed or timed out;
  - no growth of Janus's and the data plane's resident memory and open file descriptors
    between the end of the first round of calls and the end (thresholds below);
The caller (soak.sh) checks that every flow slot was released. Bounded: stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time

from e2e_check import CheckFailed, check, say
from first_call import restrict_ice_to
from janus_client import JanusError, JanusSession, http_request
from webrtc_peer import Peer

PLUGIN = "janus.plugin.sip"
# Relay drops that mean a lost packet (not a malformed or unexpected one).
DP_LOSS = ("drop_tx_full", "drop_ctl_ring_full", "drop_no_mbuf", "drop_hold_full", "drop_hold_timeout",
           "drop_too_big", "drop_nic_nombuf", "drop_nic_missed", "drop_nic_rx_errors", "drop_nic_tx_errors")
LINK_LOSS = ("drop_send_ring_full", "drop_send_too_big", "drop_send_no_ring", "drop_rx_stale", "drop_rx_bad_len",
             "cmd_failures", "cmd_timeouts", "leaked_flows")
# After warm-up: a few pages of allocator slack are normal; a leak per call is not. The data
# plane's resident size grows as traffic first touches its preallocated pools (not gated);
# its DPDK heap (telemetry) must not grow at all.
RSS_GROWTH_KIB = {"janus": 8192}
FD_GROWTH = 2


def proc_sample(pid: int) -> dict:
    with open(f"/proc/{pid}/status") as f:
        rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return {"rss_kib": rss, "fds": len(os.listdir(f"/proc/{pid}/fd"))}


def dp_heap(path: str) -> dict:
    """The data plane's DPDK heap (telemetry /eal/heap_info): what it has allocated."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as s:
        s.settimeout(5)
        s.connect(path)
        s.recv(4096)  # the greeting
        s.send(b"/eal/heap_info,0")
        info = json.loads(s.recv(65536))["/eal/heap_info"]
    return {"alloc_count": int(info["Alloc_count"]), "alloc_bytes": int(info["Alloc_size"])}


def dp_totals(a) -> dict:
    out = subprocess.run([a.rtpgatectl, "--shm", a.shm, "--json", "stats"], capture_output=True, text=True,
                         timeout=10, check=True).stdout
    return json.loads(out)["total"]


async def link_counters(a) -> dict:
    ans = await http_request(a.admin, "POST", {"janus": "message_plugin", "transaction": "soak", "admin_secret":
                                               a.admin_secret, "plugin": PLUGIN, "request": {"request": "stats"}}, 5)
    return ans.get("response", {}).get("dataplane", {}).get("counters", {})


async def flow_drops(a, session, handle) -> tuple[dict, int]:
    """The audio stream's RTP flow counters and the sum of their drop_* fields."""
    ans = await http_request(f"{a.admin}/{session.id}/{handle.id}", "POST",
                             {"janus": "handle_info", "transaction": "soak", "admin_secret": a.admin_secret}, 5)
    audio = ans.get("info", {}).get("plugin_specific", {}).get("rtpgate", {}).get("audio", {})
    fc = audio.get("rtp_flow_counters", {})
    return {"rx": fc.get("rx_pkts", 0), "to_peer": audio.get("to_peer_pkts", 0),
            "relayed": audio.get("relayed_rtp", 0)}, sum(v for k, v in fc.items() if k.startswith("drop_"))


class Soak:
    def __init__(self, a):
        self.a = a
        self.deadline = time.monotonic() + a.seconds
        self.calls = 0
        self.flow_drops = 0
        self.rounds_done: set[int] = set()
        self.warm: dict | None = None
        self.all_warm = asyncio.Event()

    async def sample_every(self, period: float, t0: float, out: list) -> None:
        """Janus's resident size and the calls placed so far, every `period` seconds (the trend)."""
        while True:
            await asyncio.sleep(period)
            out.append([round(time.monotonic() - t0), self.calls, proc_sample(self.a.janus_pid)["rss_kib"]])

    def sample(self) -> dict:
        out = {k: proc_sample(p) for k, p in self.pids().items()}
        if self.a.dp_telemetry:
            out["dataplane"] |= dp_heap(self.a.dp_telemetry)
        return out

    def pids(self) -> dict:
        return {"janus": self.a.janus_pid} | ({"dataplane": self.a.dp_pid} if self.a.dp_pid else {})

    async def one_call(self, lane: int, session) -> None:
        a = self.a
        h = await session.attach(PLUGIN)
        try:
            ev = await h.request({"request": "register", "type": "guest", "username": f"sip:soak{lane}@{a.sip_ip}"})
            if ev.name != "registered":  # a guest is registered at once (no REGISTER is sent)
                check(False, f"lane {lane}: guest registration ({ev.brief()})")
            peer = Peer(1000)
            try:
                ev = await h.request({"request": "call", "uri": a.callee}, jsep=await peer.offer())
                check(ev.name == "calling", f"lane {lane}: calling")
                acc = await h.wait_event("accepted", timeout=15, fail_on=("error", "hangup"))
                await peer.set_answer(acc.jsep["sdp"])
                await peer.connected()
                await peer.tone(f"lane {lane} call {self.calls + 1}: the echoed tone", listen_ms=400)
                await asyncio.sleep(max(0.0, min(a.call_seconds, self.deadline - time.monotonic())))
                if not a.stock:
                    counts, drops = await flow_drops(a, session, h)
                    check(drops == 0 and counts["rx"] > 0 and counts["to_peer"] > 0,
                          f"lane {lane}: relay counters {counts}, flow drops {drops}")
                    self.flow_drops += drops
                await h.request({"request": "hangup"})
                await h.wait_event("hangup", timeout=10)
            finally:
                await peer.close()
        finally:
            await h.detach()
        self.calls += 1

    async def lane(self, lane: int) -> None:
        async with JanusSession(self.a.janus) as session:
            rnd = 0
            while time.monotonic() < self.deadline - 3:
                await self.one_call(lane, session)
                rnd += 1
                if rnd == 1:
                    await self.first_round_done(lane)

    async def first_round_done(self, lane: int) -> None:
        """Every lane waits here after its first call: the warm sample is taken with no call up."""
        self.rounds_done.add(lane)
        if len(self.rounds_done) == self.a.calls:
            await asyncio.sleep(1.0)  # the last hangups settle
            self.warm = self.sample()
            say(f"  after the first round ({self.calls} calls, none up): {self.warm}")
            self.all_warm.set()
        await asyncio.wait_for(self.all_warm.wait(), 120)

    async def run(self) -> dict:
        a = self.a
        if a.stock:  # the reference: Janus's own SIP plugin (memory and files only)
            dp0 = link0 = {}
        else:
            dp0, link0 = dp_totals(a), await link_counters(a)
        start = self.sample()
        say(f"  start: {start}")
        t0 = time.monotonic()
        series: list = []
        sampler = asyncio.ensure_future(self.sample_every(10.0, t0, series))
        await asyncio.gather(*(self.lane(i) for i in range(a.calls)))
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        elapsed = time.monotonic() - t0
        await asyncio.sleep(1.0)
        end = self.sample()
        dp1, link1 = (dp0, link0) if a.stock else (dp_totals(a), await link_counters(a))
        dp_delta = {k: dp1.get(k, 0) - dp0.get(k, 0) for k in dp1}
        link_delta = {k: link1.get(k, 0) - link0.get(k, 0) for k in link1}
        say(f"  end: {end}")
        check(self.warm is not None, "every lane finished a first round of calls")
        res = {"calls": self.calls, "lanes": a.calls, "seconds": round(elapsed, 1), "start": start, "warm": self.warm,
               "end": end, "janus_rss_series": series, "relay_fwd_rtp": dp_delta.get("fwd_rtp", 0), "relay_to_ctl": dp_delta.get("to_ctl_ring", 0),
               "relay_from_ctl": dp_delta.get("ctl_tx_pkts", 0),
               "teardown_stragglers": {k: dp_delta.get(k, 0) for k in ("drop_no_flow", "drop_ctl_bad_flow")} |
                                      {"drop_rx_no_stream": link_delta.get("drop_rx_no_stream", 0)}}
        say(f"  {self.calls} calls on {a.calls} lanes in {elapsed:.0f} s; data plane to Janus "
            f"{res['relay_to_ctl']} packets, Janus to the SIP peer {res['relay_from_ctl']}")
        check(self.calls >= a.calls * 2, f"every lane placed calls one after another ({self.calls} calls)")
        if not a.stock:
            lost = {k: dp_delta.get(k, 0) for k in DP_LOSS if dp_delta.get(k, 0)}
            check(not lost, f"the data plane lost no packet for lack of resources ({lost or 'all zero'})")
            lost = {k: link_delta.get(k, 0) for k in LINK_LOSS if link_delta.get(k, 0)}
            check(not lost, f"the plugin lost no packet and no command to the data plane failed ({lost or 'all zero'})")
            check(self.flow_drops == 0, "no flow of any call dropped a packet")
        if "alloc_count" in end.get("dataplane", {}):
            w, e = self.warm["dataplane"], end["dataplane"]
            check(e["alloc_count"] == w["alloc_count"] and e["alloc_bytes"] == w["alloc_bytes"],
                  f"dataplane: DPDK heap {w['alloc_count']} blocks / {w['alloc_bytes']} bytes after the first round, "
                  f"{e['alloc_count']} / {e['alloc_bytes']} at the end")
        for who in ("janus", "dataplane"):
            if who not in end:
                continue
            fds = end[who]["fds"] - self.warm[who]["fds"]
            check(fds <= FD_GROWTH, f"{who}: open files {self.warm[who]['fds']} -> {end[who]['fds']} ({fds:+})")
        for who, limit in RSS_GROWTH_KIB.items():
            grew = end[who]["rss_kib"] - self.warm[who]["rss_kib"]
            check(grew <= limit, f"{who}: resident memory {self.warm[who]['rss_kib']} -> {end[who]['rss_kib']} KiB "
                                 f"after the first round ({grew:+} KiB, {grew / max(1, self.calls - a.calls):.1f} KiB "
                                 f"per later call, limit {limit})")
        return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in ("janus", "ice-ip", "admin", "sip-ip", "callee", "work"):
        ap.add_argument(f"--{k}", required=True)
    ap.add_argument("--rtpgatectl", default="")
    ap.add_argument("--shm", default="")
    ap.add_argument("--admin-secret", default="rtpgate-e2e")
    ap.add_argument("--janus-pid", type=int, required=True)
    ap.add_argument("--dp-pid", type=int, default=0)
    ap.add_argument("--stock", action="store_true", help="Janus's own SIP plugin: no data plane checks")
    ap.add_argument("--dp-telemetry", default="", help="the data plane's DPDK telemetry socket (heap check)")
    ap.add_argument("--calls", type=int, default=4, help="concurrent calls (lanes)")
    ap.add_argument("--seconds", type=float, default=90, help="how long the soak places calls")
    ap.add_argument("--call-seconds", type=float, default=15, help="how long each call lasts")
    a = ap.parse_args()
    restrict_ice_to(a.ice_ip)
    try:
        res = asyncio.run(asyncio.wait_for(Soak(a).run(), a.seconds + 120))
    except (CheckFailed, JanusError, asyncio.TimeoutError, subprocess.SubprocessError) as e:
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    with open(os.path.join(a.work, "soak.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(f"PASS: soak ({json.dumps(res)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
