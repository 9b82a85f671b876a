"""Plugin part 2 scenarios: RFC 2833 DTMF detection, keyframe, rtp_forward (ids 50-59).
A mixin of incall_scenarios.InCallSuite: methods use sip_scenarios.Suite's helpers
(self.master, self.sipp(), self.peer(), self.answered_call(), self.expect_sequence()...)."""

from __future__ import annotations


class MediaScenarios:
    SCENARIOS: list[tuple[int, str, str]] = []
