"""A schedule for tests: crontab's behaviour on a sub-second clock. Course-owned.

`every(0.25)` is due at every multiple of 0.25 s since the epoch, the way `crontab(minute=0)` is due at
every multiple of an hour: two beats fire at the same instants, and a beat that was down while a slot
began runs it once when it comes back (if it remembers its last run), never once per missed slot."""

from __future__ import annotations

import math
from datetime import timedelta

from celery.schedules import schedstate, schedule

# Two control jobs, whatever your schedule holds: one no exercise guards (what beat itself sends) and one
# guarded by exercise 2's once_per_slot. The tests and the notebook count their runs.
CONTROLS = {
    "tick-unguarded": "apps.housekeeping.tasks.tick_unguarded",
    "tick-guarded": "apps.housekeeping.tasks.tick_guarded",
}


class every(schedule):  # noqa: N801 - named like Celery's own `crontab` and `schedule`
    def __init__(self, seconds: float, app=None) -> None:
        self.step = float(seconds)
        super().__init__(run_every=timedelta(seconds=self.step), app=app)

    def slot_start(self, timestamp: float) -> float:
        return math.floor(timestamp / self.step) * self.step

    def is_due(self, last_run_at):
        now = self.now().timestamp()
        begun = self.slot_start(now)
        wait = begun + self.step - now
        last = self.maybe_make_aware(last_run_at).timestamp()
        return schedstate(last < begun, max(wait, 0.001))

    def remaining_estimate(self, last_run_at):
        now = self.now().timestamp()
        return timedelta(seconds=self.slot_start(now) + self.step - now)

    def __reduce__(self):  # beat pickles its entries into the schedule file
        return self.__class__, (self.step,)

    def __eq__(self, other):
        return isinstance(other, every) and other.step == self.step

    def __hash__(self):
        return hash(("every", self.step))

    def __repr__(self) -> str:
        return f"<every {self.step:g} s>"


def on_fast_clock(beat_schedule: dict, seconds: float) -> dict:
    """The same entries (names, tasks, arguments), each due every `seconds`, plus the control jobs."""
    fast = {name: {**entry, "schedule": every(seconds)} for name, entry in beat_schedule.items()}
    for name, task in CONTROLS.items():
        fast[name] = {"task": task, "schedule": every(seconds)}
    return fast
