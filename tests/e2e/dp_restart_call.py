#!/usr/bin/python3
"""A call that lives through a data-plane crash (issues 10 and 11): an aiortc client calls
the echoing sipp UAS through Janus with libjanus_rtpgate.so; once the tone comes back it
asks the shell (dp_restart.sh) to SIGKILL rtpgate-dataplane and start a new one, and
measures, from the frames its audio track decodes:

  - the media gap: the last echoed frame before the crash to the first one after it, and
    the part of it after the new data plane was ready (what the plugin's re-programming
    costs),
  - that the echoed audio is the tone again afterwards,
  - the plugin's view (Admin API message_plugin stats): one orphaned stream, re-programmed,
    none lost; no hangup event during the crash; the call then hangs up normally.

Handshake with the shell: we write WORK/kill.req; it writes WORK/dp.ready with the
CLOCK_MONOTONIC second at which the new data plane was ready.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

from e2e_check import CheckFailed, check, say
from first_call import restrict_ice_to
from janus_client import JanusError, JanusSession, http_request
from webrtc_peer import Peer

PLUGIN = "janus.plugin.sip"


class FrameClock:
    """Arrival times of the decoded frames of one remote track."""

    def __init__(self, track):
        self.track, self.times = track, []
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        try:
            while True:
                await self.track.recv()
                self.times.append(time.monotonic())
        except Exception:  # noqa: BLE001 - track ended or cancelled
            pass

    async def stop(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def wait_file(path: str, timeout: float) -> str:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().strip()
            if text:
                return text
        await asyncio.sleep(0.05)
    raise CheckFailed(f"{os.path.basename(path)} did not appear within {timeout:.0f} s")


async def link_stats(a) -> dict:
    ans = await http_request(a.admin, "POST", {"janus": "message_plugin", "transaction": "dpr", "admin_secret":
                                               a.admin_secret, "plugin": PLUGIN, "request": {"request": "stats"}}, 5)
    return ans.get("response", {}).get("dataplane", {}).get("counters", {})


async def run(a) -> dict:
    res: dict = {}
    async with JanusSession(a.janus) as session:
        h = await session.attach(PLUGIN)
        h.on_event = lambda ev: say(f"  <- {ev.brief()}")
        ev = await h.request({"request": "register", "username": a.username, "secret": "secret", "proxy": a.proxy})
        await h.wait_event("registered", timeout=10, fail_on=("registration_failed", "error"))
        peer = Peer(1000)
        try:
            ev = await h.request({"request": "call", "uri": a.callee}, jsep=await peer.offer())
            check(ev.name == "calling", f"calling {a.callee}")
            acc = await h.wait_event("accepted", timeout=15, fail_on=("error", "hangup"))
            await peer.set_answer(acc.jsep["sdp"])
            await peer.connected()
            res["before"] = await peer.tone("the echoed tone before the crash")
            before = await link_stats(a)
            clock = FrameClock(peer.track)
            await asyncio.sleep(1.0)
            say("asking the shell to SIGKILL the data plane and start a new one")
            t_kill = time.monotonic()
            with open(os.path.join(a.work, "kill.req"), "w") as f:
                f.write(f"{t_kill}\n")
            t_ready = float(await wait_file(os.path.join(a.work, "dp.ready"), 30))
            end = time.monotonic() + 10
            while time.monotonic() < end and not any(t > t_ready for t in clock.times):
                await asyncio.sleep(0.02)
            await asyncio.sleep(1.0)
            await clock.stop()
            pre = [t for t in clock.times if t <= t_kill + 0.05]
            post = [t for t in clock.times if t > t_ready]
            check(bool(pre), f"frames before the crash ({len(pre)})")
            check(bool(post), "echoed frames again after the new data plane was ready")
            gap = post[0] - pre[-1]
            after_ready = post[0] - t_ready
            res.update({"outage_s": round(t_ready - t_kill, 3), "gap_s": round(gap, 3),
                        "resume_after_ready_s": round(after_ready, 3),
                        "frames_lost_estimate": max(0, round(gap / 0.02) - 1)})
            say(f"  data plane down {t_ready - t_kill:.3f} s (kill to ready); media gap {gap:.3f} s; "
                f"first echoed frame {1000 * after_ready:.0f} ms after the new data plane was ready; "
                f"~{res['frames_lost_estimate']} frames of 20 ms lost")
            check(after_ready < 1.0, f"media back within a second of the data plane ({1000 * after_ready:.0f} ms)")
            res["after"] = await peer.tone("the echoed tone after the restart")
            after = await link_stats(a)
            delta = {k: after.get(k, 0) - before.get(k, 0)
                     for k in ("attaches", "orphaned_streams", "readopted_streams", "readopt_failures")}
            res["link"] = delta
            check(delta["attaches"] == 1 and delta["readopted_streams"] == delta["orphaned_streams"] == 1
                  and delta["readopt_failures"] == 0,
                  f"the plugin re-attached once and re-programmed every stream of the call ({delta})")
            check(all(e.name != "hangup" for e in h.history), "no hangup event during the crash")
            ev = await h.request({"request": "hangup"})
            ev = await h.wait_event("hangup", timeout=10)
            check(ev.result.get("code") == 200, f"normal hangup afterwards ({ev.brief()})")
        finally:
            await peer.close()
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for k in ("janus", "ice-ip", "admin", "username", "proxy", "callee", "work"):
        ap.add_argument(f"--{k}", required=True)
    ap.add_argument("--admin-secret", default="rtpgate-e2e")
    a = ap.parse_args()
    restrict_ice_to(a.ice_ip)
    try:
        res = asyncio.run(asyncio.wait_for(run(a), 120))
    except (CheckFailed, JanusError, asyncio.TimeoutError) as e:
        print(f"FAIL: {type(e).__name__}: {e}")
        return 1
    with open(os.path.join(a.work, "result.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(f"PASS: the call survived the data-plane restart ({json.dumps(res)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
