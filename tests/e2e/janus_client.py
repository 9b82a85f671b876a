"""Minimal asyncio client of the Janus Gateway HTTP API (sessions, handles, long-poll events).

Standard library only (HTTP/1.1 over asyncio streams, one connection per request), so it
runs on Debian's /usr/bin/python3 without python3-aiohttp; every request is cancellable and
bounded by a timeout. One long-poll task per session feeds a per-handle event queue.

    async with JanusSession(url) as session:
        handle = await session.attach("janus.plugin.sip")
        data, jsep = await handle.request({"request": "register", ...})   # -> ack, then event
        ev = await handle.wait_event("registered", timeout=10)
"""

from __future__ import annotations

import asyncio
import json
import random
import string
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any


class JanusError(Exception):
    """A Janus API error ({"janus":"error"}), a plugin error (error_code) or a transport failure."""


def _txn() -> str:
    return "".join(random.choices(string.ascii_letters + string.digits, k=12))


async def http_request(url: str, method: str = "GET", body: Any = None, timeout: float = 10.0) -> Any:
    """One HTTP/1.1 request (Connection: close); returns the decoded JSON body."""
    return await asyncio.wait_for(_http_request(url, method, body), timeout)


async def _http_request(url: str, method: str, body: Any) -> Any:
    u = urllib.parse.urlsplit(url)
    if u.scheme != "http":
        raise JanusError(f"only http:// URLs are supported: {url}")
    host, port = u.hostname or "127.0.0.1", u.port or 80
    path = (u.path or "/") + (f"?{u.query}" if u.query else "")
    payload = b"" if body is None else json.dumps(body).encode()
    head = [f"{method} {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close", "Accept: application/json"]
    if body is not None:
        head += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as e:
        raise JanusError(f"cannot connect to {host}:{port}: {e}") from e
    try:
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        status_line = (await reader.readline()).decode("latin-1").strip()
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise JanusError(f"bad HTTP status line from {url}: {status_line!r}")
        status = int(parts[1])
        headers: dict[str, str] = {}
        while True:
            line = (await reader.readline()).decode("latin-1")
            if line in ("\r\n", "\n", ""):
                break
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    break
                data += await reader.readexactly(size)
                await reader.readline()
        elif "content-length" in headers:
            data = await reader.readexactly(int(headers["content-length"]))
        else:
            data = await reader.read()
    finally:
        writer.close()
        try:
            await writer.wait_closed()
        except OSError:
            pass
    if status != 200:
        raise JanusError(f"HTTP {status} from {method} {url}: {data[:200]!r}")
    try:
        return json.loads(data)
    except ValueError as e:
        raise JanusError(f"non-JSON answer from {url}: {data[:200]!r}") from e


@dataclass
class Event:
    """One asynchronous message for a handle, as received (plus arrival time)."""

    msg: dict
    t: float = field(default_factory=time.monotonic)

    @property
    def janus(self) -> str:
        return self.msg.get("janus", "")

    @property
    def data(self) -> dict:
        return self.msg.get("plugindata", {}).get("data", {})

    @property
    def result(self) -> dict:
        r = self.data.get("result")
        return r if isinstance(r, dict) else {}

    @property
    def name(self) -> str:
        """Plugin event name (result.event; "error" for a plugin error), or for a message from
        the Janus core its type prefixed with "janus:" (janus:webrtcup, janus:media,
        janus:hangup...): the core's "hangup" (PeerConnection closed) is not the plugin's."""
        if self.janus == "event":
            if "error_code" in self.data:
                return "error"
            return self.result.get("event", "")
        return f"janus:{self.janus}"

    @property
    def jsep(self) -> dict | None:
        return self.msg.get("jsep")

    def brief(self) -> str:
        if self.janus == "event":
            d = self.data
            if "error_code" in d:
                return f"error {d['error_code']}: {d.get('error')}"
            extra = {k: v for k, v in self.result.items() if k != "event"}
            s = f"{self.name} {json.dumps(extra, sort_keys=True)}" if extra else self.name
            return s + (f" (+jsep {self.jsep.get('type')})" if self.jsep else "")
        extra = {k: v for k, v in self.msg.items() if k not in ("janus", "session_id", "sender", "transaction")}
        return f"{self.name} {json.dumps(extra, sort_keys=True)}" if extra else self.name


class JanusHandle:
    """A plugin handle: send messages, trickle, wait for asynchronous events."""

    def __init__(self, session: "JanusSession", handle_id: int, plugin: str):
        self.session = session
        self.id = handle_id
        self.plugin = plugin
        self.queue: asyncio.Queue[Event] = asyncio.Queue()
        self.history: list[Event] = []
        self.on_event = None  # optional callback(Event), e.g. for logging
        self._stash: list[Event] = []  # received while request() waited for its own answer

    @property
    def url(self) -> str:
        return f"{self.session.url}/{self.id}"

    def _deliver(self, msg: dict) -> None:
        ev = Event(msg)
        self.history.append(ev)
        if self.on_event:
            self.on_event(ev)
        self.queue.put_nowait(ev)

    async def send(self, body: dict, jsep: dict | None = None, timeout: float = 10.0) -> dict:
        """Send {"janus":"message"}; return Janus's synchronous answer (ack, or success for sync plugins)."""
        msg: dict[str, Any] = {"janus": "message", "transaction": _txn(), "body": body}
        if jsep is not None:
            msg["jsep"] = jsep
        ans = await http_request(self.url, "POST", msg, timeout)
        if ans.get("janus") == "error":
            raise JanusError(f"{body.get('request')}: Janus error {ans['error'].get('code')}: {ans['error'].get('reason')}")
        return ans

    async def request(self, body: dict, jsep: dict | None = None, timeout: float = 10.0) -> Event:
        """Send a message and wait for the plugin event carrying the same transaction.

        The SIP plugin always answers asynchronously (ack first, then an event). A plugin
        error (error_code) raises JanusError."""
        msg: dict[str, Any] = {"janus": "message", "transaction": _txn(), "body": body}
        if jsep is not None:
            msg["jsep"] = jsep
        deadline = time.monotonic() + timeout
        ans = await http_request(self.url, "POST", msg, timeout)
        if ans.get("janus") == "error":
            raise JanusError(f"{body.get('request')}: Janus error {ans['error'].get('code')}: {ans['error'].get('reason')}")
        if ans.get("janus") == "success":  # synchronous plugin answer
            ev = Event(ans)
            self.history.append(ev)
            return ev
        txn = msg["transaction"]
        skipped: list[Event] = []
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise JanusError(f"{body.get('request')}: no answer within {timeout:.0f} s")
                try:
                    ev = await asyncio.wait_for(self.queue.get(), left)
                except asyncio.TimeoutError:
                    raise JanusError(f"{body.get('request')}: no answer within {timeout:.0f} s") from None
                if ev.msg.get("transaction") == txn and ev.janus == "event":
                    if "error_code" in ev.data:
                        raise JanusError(
                            f"{body.get('request')}: plugin error {ev.data['error_code']}: {ev.data.get('error')}")
                    return ev
                skipped.append(ev)
        finally:
            self._stash.extend(skipped)  # still visible to wait_event, in arrival order

    async def wait_event(self, *names: str, timeout: float = 10.0, fail_on: tuple[str, ...] = ("error",)) -> Event:
        """Wait for the next event whose name is one of NAMES; events with other names are skipped
        (they stay in history). An event named in FAIL_ON raises JanusError."""
        deadline = time.monotonic() + timeout
        pending = self._stash
        self._stash = []
        try:
            while True:
                if pending:
                    ev = pending.pop(0)
                else:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise JanusError(f"timeout after {timeout:.1f} s waiting for {'/'.join(names)}")
                    try:
                        ev = await asyncio.wait_for(self.queue.get(), left)
                    except asyncio.TimeoutError:
                        raise JanusError(f"timeout after {timeout:.1f} s waiting for {'/'.join(names)}") from None
                if ev.name in names:
                    return ev
                if ev.name in fail_on:
                    raise JanusError(f"waiting for {'/'.join(names)}, got {ev.brief()}")
        finally:
            self._stash = pending + self._stash

    async def trickle(self, candidate: dict | None = None, timeout: float = 10.0) -> None:
        """Trickle one candidate, or {"completed": true} when CANDIDATE is None."""
        msg = {"janus": "trickle", "transaction": _txn(), "candidate": candidate or {"completed": True}}
        ans = await http_request(self.url, "POST", msg, timeout)
        if ans.get("janus") == "error":
            raise JanusError(f"trickle: {ans['error']}")

    async def hangup_webrtc(self, timeout: float = 5.0) -> None:
        await http_request(self.url, "POST", {"janus": "hangup", "transaction": _txn()}, timeout)

    async def detach(self, timeout: float = 5.0) -> None:
        await http_request(self.url, "POST", {"janus": "detach", "transaction": _txn()}, timeout)


class JanusSession:
    """A Janus session with its long-poll task. Use as an async context manager."""

    def __init__(self, base_url: str, poll_maxev: int = 10):
        self.base_url = base_url.rstrip("/")
        self.id: int | None = None
        self.handles: dict[int, JanusHandle] = {}
        self.unrouted: list[dict] = []
        self.poll_error: Exception | None = None
        self._poll_task: asyncio.Task | None = None
        self._maxev = poll_maxev

    @property
    def url(self) -> str:
        return f"{self.base_url}/{self.id}"

    async def info(self, timeout: float = 5.0) -> dict:
        return await http_request(self.base_url + "/info", "GET", None, timeout)

    async def create(self, timeout: float = 10.0) -> int:
        ans = await http_request(self.base_url, "POST", {"janus": "create", "transaction": _txn()}, timeout)
        if ans.get("janus") != "success":
            raise JanusError(f"create: {ans}")
        self.id = ans["data"]["id"]
        self._poll_task = asyncio.create_task(self._poll_loop(), name="janus-long-poll")
        return self.id

    async def attach(self, plugin: str, timeout: float = 10.0) -> JanusHandle:
        ans = await http_request(self.url, "POST", {"janus": "attach", "plugin": plugin, "transaction": _txn()}, timeout)
        if ans.get("janus") != "success":
            raise JanusError(f"attach {plugin}: {ans}")
        h = JanusHandle(self, ans["data"]["id"], plugin)
        self.handles[h.id] = h
        return h

    async def _poll_loop(self) -> None:
        while True:
            try:
                msgs = await http_request(f"{self.url}?maxev={self._maxev}&rid={int(time.time() * 1000)}", "GET", None, 40.0)
            except asyncio.CancelledError:
                raise
            except Exception as e:  # noqa: BLE001 - keep polling, remember the last failure
                self.poll_error = e
                await asyncio.sleep(0.2)
                continue
            for m in msgs if isinstance(msgs, list) else [msgs]:
                if m.get("janus") == "keepalive":
                    continue
                h = self.handles.get(m.get("sender"))
                if h is not None:
                    h._deliver(m)
                else:
                    self.unrouted.append(m)

    async def destroy(self, timeout: float = 5.0) -> None:
        if self._poll_task:
            self._poll_task.cancel()
            # A long-poll blocked in a worker thread may swallow the cancellation
            # (Python 3.11 wait_for): never wait for it longer than the timeout.
            try:
                await asyncio.wait_for(asyncio.shield(self._poll_task), timeout)
            except (asyncio.CancelledError, asyncio.TimeoutError, Exception):  # noqa: BLE001
                pass
            self._poll_task = None
        if self.id is not None:
            try:
                await http_request(self.url, "POST", {"janus": "destroy", "transaction": _txn()}, timeout)
            finally:
                self.id = None

    async def __aenter__(self) -> "JanusSession":
        await self.create()
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            await self.destroy()
        except Exception:  # noqa: BLE001 - best effort on the way out
            pass
