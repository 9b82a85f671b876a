"""Progress output and checks shared by the e2e scenario scripts: say() prints with the time
since start, check() prints an "ok" line or raises CheckFailed (first_call's, so that its
wait_ice() failures are the same type)."""

from __future__ import annotations

import first_call
from first_call import CheckFailed, now, say  # noqa: F401 - re-exported


def check(cond: bool, what: str) -> None:
    first_call.check(cond, what, indent="    ")
