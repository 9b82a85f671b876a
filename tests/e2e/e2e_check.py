"""Progress output and checks shared by the e2e scenario scripts: say() prints with the time
since start, check() prints an "ok" line or raises CheckFailed (first_call's, so that its
wait_ice() failures are the same type)."""

from __future__ import annotations

import time

from first_call import CheckFailed  # noqa: F401 - re-exported

T0 = time.monotonic()


def now() -> float:
    return time.monotonic() - T0


def say(msg: str) -> None:
    print(f"[{now():7.3f}s] {msg}", flush=True)


def check(cond: bool, what: str) -> None:
    if not cond:
        raise CheckFailed(what)
    say(f"    ok: {what}")
