"""Plugin part 2 scenarios: hold/unhold, update and re-INVITEs from the peer (ids 20-29).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...)."""

from __future__ import annotations


class ReinviteScenarios:
    SCENARIOS: list[tuple[int, str, str]] = []
