"""The demo's clock dates its engagement: forward only, readings in order."""

from __future__ import annotations

import dataclasses
import datetime as dt

from app.services.demo.timeline import SENT_FOR_REVIEW, DemoClock


def test_the_demo_clock_moves_forward_only_and_keeps_readings_in_order():
    clock = DemoClock(dt.date(2026, 12, 7))
    first, second = clock(), clock()
    assert first.date() == dt.date(2026, 11, 16)
    assert second > first
    clock.move_to(SENT_FOR_REVIEW)
    review_time = clock()
    assert review_time == dt.datetime(2026, 12, 1, 16, tzinfo=dt.UTC)
    clock.move_to(dataclasses.replace(SENT_FOR_REVIEW, days_before=20))
    assert clock() > review_time
