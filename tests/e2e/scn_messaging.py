"""Plugin part 2 scenarios: INFO, dtmf_info, MESSAGE and SUBSCRIBE/NOTIFY (ids 30-39).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...)."""

from __future__ import annotations


class MessagingScenarios:
    SCENARIOS: list[tuple[int, str, str]] = []
