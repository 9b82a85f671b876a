"""A baresip user agent (Debian baresip-core 1.0) in the SIP peers' namespace, as a real SDES-SRTP
peer for tests/e2e/scn_srtp.py: it plays a sine (module ausine) and records what it decodes
(module sndfile: <dir>/dump-*-dec.wav), answers automatically or dials at start-up.

Configuration templates: tests/e2e/baresip/{config,accounts}.in ({ip}, {port}, {rtp_min},
{rtp_max}, {audio_source}, {snd_path}, {extra}, {account}).

Baresip.echo() is the other kind of peer (tests/e2e/kamailio_calls.py): an account that
registers with digest auth at a registrar, answers every call with baresip's echo module
(the caller's audio is sent back) and takes commands (hangup) over ctrl_tcp.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import subprocess
import wave

import numpy as np

from e2e_check import CheckFailed, check
from tone import analyse

TEMPLATES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "baresip")


class Baresip:
    CTRL_PORT = 4444

    def __init__(self, ns: str, ip: str, work_dir: str, name: str, *, port: int, rtp_min: int, mediaenc: str = "",
                 sine_hz: int = 600, dial: str | None = None, account: str | None = None, extra: str = "",
                 audio_source: str | None = None):
        self.ns, self.name, self.dial, self.ip = ns, name, dial, ip
        self.dir = os.path.join(work_dir, name)
        self.snd_path = os.path.join(self.dir, "snd")
        os.makedirs(self.snd_path, exist_ok=True)
        if account is None:
            account = (f"<sip:bob@{ip}:{port}>;regint=0;audio_codecs=PCMU;mediaenc={mediaenc};"
                       f"answermode={'manual' if dial else 'auto'}")
        values = {"ip": ip, "port": port, "rtp_min": rtp_min, "rtp_max": rtp_min + 20, "sine_hz": sine_hz,
                  "snd_path": self.snd_path, "extra": extra, "account": account,
                  "audio_source": audio_source or f"ausine,{sine_hz}"}
        for f in ("config", "accounts"):
            with open(os.path.join(TEMPLATES, f + ".in")) as src, open(os.path.join(self.dir, f), "w") as dst:
                dst.write(src.read().format(**values))
        self.uri = f"sip:bob@{ip}:{port}"
        self.log_path = os.path.join(self.dir, "baresip.log")
        self.proc: asyncio.subprocess.Process | None = None

    @classmethod
    def echo(cls, ns: str, ip: str, work_dir: str, *, user: str, secret: str, registrar: str, port: int,
             rtp_min: int) -> "Baresip":
        """An echoing UA registered (digest auth) as sip:USER@REGISTRAR_HOST."""
        account = (f"<sip:{user}@{registrar}>;auth_pass={secret};regint=600;audio_codecs=PCMU;"
                   f"answermode=manual")
        extra = f"module_app\t\techo.so\nmodule_app\t\tctrl_tcp.so\nctrl_tcp_listen\t\t{ip}:{cls.CTRL_PORT}"
        # The echo module bridges each call's player to its source through aubridge.
        return cls(ns, ip, work_dir, user, port=port, rtp_min=rtp_min, account=account, extra=extra,
                   audio_source="aubridge,nowhere")

    async def command(self, cmd: str, params: str = "") -> str:
        """A ctrl_tcp command (netstring JSON), sent from inside the namespace; its response."""
        body = json.dumps({"command": cmd, "params": params, "token": "e2e"})
        code = ("import socket,sys\n"
                f"s=socket.create_connection(({self.ip!r},{self.CTRL_PORT}),timeout=5)\n"
                "b=sys.argv[1].encode()\n"
                "s.sendall(str(len(b)).encode()+b':'+b+b',')\n"
                "print(s.recv(65536).decode(errors='replace'))\n")
        p = await asyncio.create_subprocess_exec("ip", "netns", "exec", self.ns, "python3", "-c", code, body,
                                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out, _ = await asyncio.wait_for(p.communicate(), 10)
        check(p.returncode == 0, f"baresip {self.name}: ctrl_tcp {cmd} ({out.decode(errors='replace').strip()})")
        return out.decode(errors="replace")

    async def start(self) -> "Baresip":
        cmd = ["ip", "netns", "exec", self.ns, "baresip", "-4", "-f", self.dir, "-t", "60"]
        if self.dial:
            cmd += ["-e", f"/dial {self.dial}"]
        log = open(self.log_path, "w")
        try:
            self.proc = await asyncio.create_subprocess_exec(*cmd, stdin=subprocess.DEVNULL, stdout=log,
                                                             stderr=subprocess.STDOUT, cwd=self.dir)
        finally:
            log.close()
        await asyncio.sleep(0.5)   # SIP socket bound (baresip prints nothing we could wait for)
        if self.proc.returncode is not None:
            raise CheckFailed(f"baresip {self.name} exited at start ({self.tail()})")
        return self

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.terminate()
        try:
            await asyncio.wait_for(self.proc.wait(), 5)
        except asyncio.TimeoutError:
            self.proc.kill()
            await self.proc.wait()

    def read_log(self) -> str:
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def tail(self, n: int = 6) -> str:
        lines = [ln for ln in self.read_log().splitlines() if ln.strip()]
        return " | ".join(lines[-n:]) or "-"

    def srtp_line(self) -> str | None:
        """baresip's own report of the call's SRTP ("SRTP is Enabled (cryptosuite=...)")."""
        for ln in self.read_log().splitlines():
            if "SRTP is Enabled" in ln:
                return ln.strip()
        return None

    async def wait_log(self, text: str, timeout: float) -> bool:
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            if text in self.read_log():
                return True
            await asyncio.sleep(0.1)
        return False

    def decoded_tone(self, freq_hz: float, skip_s: float = 0.5) -> str:
        """Checks the audio baresip decoded from us (sndfile's *-dec.wav) carries FREQ_HZ."""
        files = sorted(glob.glob(os.path.join(self.snd_path, "*dec*.wav")))
        check(bool(files), f"baresip recorded what it decoded ({os.listdir(self.snd_path)})")
        with wave.open(files[-1], "rb") as w:
            rate, n, width, ch = w.getframerate(), w.getnframes(), w.getsampwidth(), w.getnchannels()
            raw = w.readframes(n)
        check(width == 2 and n > rate, f"recording of {n / max(rate, 1):.2f} s at {rate} Hz (16-bit: {width == 2})")
        x = np.frombuffer(raw, dtype="<i2").astype(np.float64).reshape(-1, ch).mean(axis=1) / 32768.0
        x = x[int(skip_s * rate):]
        peak, ratio, dbfs = analyse(x, rate)
        what = f"peak {peak:.1f} Hz, tone energy {100 * ratio:.1f}%, level {dbfs:.1f} dBFS over {x.size / rate:.2f} s"
        check(abs(peak - freq_hz) <= 30 and ratio >= 0.5, f"the SIP peer heard {freq_hz:.0f} Hz through SRTP: {what}")
        return what
