"""A minimal Chrome DevTools Protocol client (python3-websockets) for the browser check.

Starts Debian's chromium headless with our own flags (playwright's launch() would replace
its --disable-features list), attaches to its first page over the DevTools WebSocket and
offers evaluate / wait_for / screenshot. The console of the page is kept for the report.
"""
from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import websockets

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
    # Janus cannot resolve mDNS host candidates: offer the real addresses.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
    "--window-size=1280,1100", "--remote-debugging-port=0", "--remote-debugging-address=127.0.0.1",
]


class CdpError(Exception):
    pass


@dataclass
class Browser:
    """chromium process + one page session."""
    proc: subprocess.Popen
    ws: websockets.WebSocketClientProtocol
    console: list[str] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    _pending: dict[int, asyncio.Future] = field(default_factory=dict)
    _reader: asyncio.Task | None = None

    @classmethod
    async def launch(cls, chromium: str, profile_dir: Path, extra_flags: list[str], log_path: Path,
                     timeout_s: float = 30.0) -> "Browser":
        profile_dir.mkdir(parents=True, exist_ok=True)
        log = open(log_path, "wb")
        proc = subprocess.Popen([chromium, *CHROMIUM_FLAGS, *extra_flags, f"--user-data-dir={profile_dir}",
                                 "about:blank"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        port_file = profile_dir / "DevToolsActivePort"
        deadline = time.monotonic() + timeout_s
        while not port_file.exists() or not port_file.read_text().strip():
            if proc.poll() is not None:
                raise CdpError(f"chromium exited with {proc.returncode}, see {log_path}")
            if time.monotonic() > deadline:
                proc.kill()
                raise CdpError(f"chromium did not open its DevTools port within {timeout_s} s")
            await asyncio.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5))
        page = next(t for t in targets if t.get("type") == "page")
        ws = await websockets.connect(page["webSocketDebuggerUrl"], max_size=64 << 20)
        b = cls(proc=proc, ws=ws)
        b._reader = asyncio.create_task(b._read())
        await b.send("Runtime.enable")
        await b.send("Page.enable")
        return b

    async def _read(self) -> None:
        async for raw in self.ws:
            msg = json.loads(raw)
            if "id" in msg:
                fut = self._pending.pop(msg["id"], None)
                if fut and not fut.done():
                    fut.set_result(msg)
            elif msg.get("method") == "Runtime.consoleAPICalled":
                p = msg["params"]
                text = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
                self.console.append(f"{p.get('type')}: {text}")
            elif msg.get("method") == "Runtime.exceptionThrown":
                d = msg["params"]["exceptionDetails"]
                self.console.append(f"exception: {d.get('exception', {}).get('description', d.get('text'))}")

    async def send(self, method: str, params: dict | None = None, timeout_s: float = 30.0) -> dict:
        i = next(self._ids)
        fut = asyncio.get_running_loop().create_future()
        self._pending[i] = fut
        await self.ws.send(json.dumps({"id": i, "method": method, "params": params or {}}))
        msg = await asyncio.wait_for(fut, timeout_s)
        if "error" in msg:
            raise CdpError(f"{method}: {msg['error']}")
        return msg.get("result", {})

    async def evaluate(self, expr: str, timeout_s: float = 30.0):
        """Value of a JavaScript expression in the page (promises awaited)."""
        r = await self.send("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                                 "awaitPromise": True}, timeout_s)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            raise CdpError(f"{expr[:60]}...: {d.get('exception', {}).get('description', d.get('text'))}")
        return r.get("result", {}).get("value")

    async def wait_for(self, expr: str, what: str, timeout_s: float) -> float:
        """Poll until expr is truthy; returns the seconds it took."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout_s:
            if await self.evaluate(expr):
                return time.monotonic() - t0
            await asyncio.sleep(0.1)
        raise CdpError(f"timed out after {timeout_s} s waiting for {what}")

    async def add_init_script(self, source: str) -> None:
        """JavaScript run in every document before its own scripts."""
        await self.send("Page.addScriptToEvaluateOnNewDocument", {"source": source})

    async def navigate(self, url: str) -> None:
        await self.send("Page.navigate", {"url": url})

    async def screenshot(self, path: Path) -> None:
        r = await self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        path.write_bytes(base64.b64decode(r["data"]))

    async def close(self) -> None:
        try:
            await self.send("Browser.close", timeout_s=5)
        except (CdpError, asyncio.TimeoutError, websockets.ConnectionClosed):
            pass
        if self._reader:
            self._reader.cancel()
        try:
            await self.ws.close()
        except websockets.ConnectionClosed:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()
