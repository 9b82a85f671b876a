"""Plugin part 2 scenarios: REFER: blind and attended transfers (ids 40-49).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...)."""

from __future__ import annotations


class TransferScenarios:
    SCENARIOS: list[tuple[int, str, str]] = []
