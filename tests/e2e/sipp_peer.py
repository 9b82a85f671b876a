"""A sipp peer for the e2e scenarios: one `sipp -m 1` process in the SIP peers' network
namespace running a scenario of tests/sip/, with its own message, log and error traces
(-message_file/-log_file/-error_file) so that a test can quote what went over the wire."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import time

from e2e_check import CheckFailed, check

SIP_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sip")


class Sipp:
    """One sipp process in the peers' namespace (-m 1), with its own trace files."""

    def __init__(self, ns: str, ip: str, trace_dir: str, name: str, xml: str, port: int, mport: int, *,
                 remote: str | None = None, service: str | None = None, echo: bool = False,
                 sets: dict[str, str] | None = None, cid: str | None = None, extra: tuple[str, ...] = ()):
        self.ns, self.trace_dir, self.name, self.port = ns, trace_dir, name, port
        d = trace_dir
        self.files = {k: os.path.join(d, f"{name}_{k}.log") for k in ("messages", "logs", "errors", "out")}
        cmd = ["ip", "netns", "exec", ns, "sipp", "-sf", os.path.join(SIP_DIR, xml)]
        if remote:
            cmd.append(remote)
        cmd += ["-i", ip, "-p", str(port), "-mi", ip, "-mp", str(mport), "-m", "1", "-nostdin",
                "-trace_err", "-trace_msg", "-trace_logs", "-message_file", self.files["messages"],
                "-log_file", self.files["logs"], "-error_file", self.files["errors"],
                "-timeout", "60s", "-timeout_error"]
        if service:
            cmd += ["-s", service]
        if echo:
            cmd.append("-rtp_echo")
        for k, v in (sets or {}).items():
            cmd += ["-set", k, v]
        if cid:
            cmd += ["-cid_str", cid]
        self.cmd = cmd + list(extra)
        self.proc: asyncio.subprocess.Process | None = None
        self.rc: int | None = None

    async def start(self, listening: bool = True) -> "Sipp":
        out = open(self.files["out"], "w")
        try:
            self.proc = await asyncio.create_subprocess_exec(*self.cmd, stdin=subprocess.DEVNULL, stdout=out,
                                                             stderr=subprocess.STDOUT, cwd=self.trace_dir)
        finally:
            out.close()
        if listening:  # a UAS must be bound before the plugin sends to it
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                p = await asyncio.create_subprocess_exec(
                    "ip", "netns", "exec", self.ns, "ss", "-Hlun", f"sport = :{self.port}",
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                o, _ = await p.communicate()
                if o.strip():
                    return self
                if self.proc.returncode is not None:
                    break
                await asyncio.sleep(0.05)
            raise CheckFailed(f"sipp {self.name} did not bind :{self.port} ({self.tail('out')})")
        return self

    async def wait(self, timeout: float) -> int | None:
        if self.proc is None:
            return None
        try:
            self.rc = await asyncio.wait_for(self.proc.wait(), timeout)
        except asyncio.TimeoutError:
            return None
        return self.rc

    async def expect_ok(self, timeout: float, what: str = "") -> None:
        rc = await self.wait(timeout)
        if rc is None:
            raise CheckFailed(f"sipp {self.name} still running after {timeout:.0f} s {what}"
                              f"(SIP seen: {self.sip_summary()})")
        if rc != 0:
            raise CheckFailed(f"sipp {self.name} exit {rc} {what}(SIP seen: {self.sip_summary()}; "
                              f"errors: {self.tail('errors', 6)})")
        check(True, f"sipp {self.name}: scenario completed ({self.sip_summary()})")

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        if await self.wait(3) is None:
            self.proc.kill()
            await self.wait(3)

    def read(self, kind: str) -> str:
        try:
            with open(self.files[kind], errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def tail(self, kind: str, n: int = 4) -> str:
        lines = [ln for ln in self.read(kind).splitlines() if ln.strip()]
        return " | ".join(lines[-n:]) or "-"

    def sip_lines(self) -> list[str]:
        """Start lines of every SIP message sent/received, with direction."""
        out, direction = [], "?"
        for ln in self.read("messages").splitlines():
            if "message sent" in ln:
                direction = ">"
            elif "message received" in ln:
                direction = "<"
            elif re.match(r"^(REGISTER|INVITE|ACK|BYE|CANCEL|OPTIONS|SIP/2\.0) ", ln):
                out.append(f"{direction} {ln.strip()}")
        return out

    def sip_summary(self) -> str:
        short = []
        for ln in self.sip_lines():
            d, first = ln[0], ln[2:]
            m = re.match(r"SIP/2\.0 (\d+)", first)
            short.append(d + (m.group(1) if m else first.split()[0]))
        return " ".join(short) or "no SIP"
