"""The demo engagement's calendar: a clock that its services take the time from.

Services stamp "now" on what they record (a draft's start, its submission for review, the
approval, the final version), so a demo built in a minute would show its whole history on
one day. The demo builder hands its workspace a :class:`DemoClock` instead and moves it to
plausible moments of a three-week engagement: the baseline and the drafts during fieldwork,
the review a few days before the fieldwork closes, the final version at its close. Ordinary
use has no such clock: a workspace opened by the window or the CLI stamps the real time.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

#: Each reading of the clock moves it on by this much, so entries keep their order.
TICK = dt.timedelta(milliseconds=20)


@dataclass(frozen=True)
class Milestone:
    """A moment of the demo engagement: days before the demo's day, at an hour of the day."""

    days_before: int
    hour: int


#: The engagement's calendar (the fieldwork runs from 21 to 2 days before the demo's day).
FIELDWORK_START = Milestone(21, 9)
BASELINE_REVIEW = Milestone(16, 15)
BASELINE_APPROVED = Milestone(15, 11)
BASELINE_FINAL = Milestone(15, 16)
SYSTEM_DRAFTS = Milestone(14, 9)
FINDINGS_WRITTEN = Milestone(7, 10)
SENT_FOR_REVIEW = Milestone(6, 16)
REVIEW_APPROVED = Milestone(4, 11)
FINAL_ISSUED = Milestone(3, 15)
REASSESSMENT = Milestone(1, 10)


class DemoClock:
    """A clock set by the demo builder to moments of its fictitious engagement.

    Args:
        today: The day the demo is relative to.
    """

    def __init__(self, today: dt.date) -> None:
        self._today = today
        self._now = self._moment(FIELDWORK_START)

    @property
    def today(self) -> dt.date:
        """Return the day the demo is relative to."""
        return self._today

    def __call__(self) -> dt.datetime:
        """Return the current demo time, then move it on by one tick."""
        now = self._now
        self._now += TICK
        return now

    def move_to(self, milestone: Milestone) -> None:
        """Set the clock to a milestone (never back: a later reading stays later)."""
        self._now = max(self._now, self._moment(milestone))

    def _moment(self, milestone: Milestone) -> dt.datetime:
        day = self._today - dt.timedelta(days=milestone.days_before)
        return dt.datetime.combine(day, dt.time(milestone.hour), dt.UTC)
