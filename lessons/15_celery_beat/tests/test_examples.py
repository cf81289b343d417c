"""The lesson's own example files (shown on the page): the restart arithmetic and the fast test clock."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

from awaitlings.testing import load


def test_a_restart_with_its_state_file_sends_the_missed_digest_and_without_it_skips_a_day():
    restart_math = load("restart_math")
    kept = restart_math.digest_after_restart(with_state_file=True)
    lost = restart_math.digest_after_restart(with_state_file=False)
    assert kept["sent_at_restart"] is True, kept
    assert lost["sent_at_restart"] is False, lost
    tomorrow_nine = datetime(2026, 12, 8, 0, 0, tzinfo=timezone.utc)
    assert lost["next_run"] == tomorrow_nine, lost


def test_the_fast_clock_is_due_once_per_slot_like_crontab():
    fast_clock = load("config.fast_clock")
    now = [datetime.fromtimestamp(1_796_000_000.05, tz=timezone.utc)]
    clock = fast_clock.every(0.2)
    clock.nowfun = lambda: now[0]
    assert clock.is_due(now[0] - timedelta(seconds=0.1)).is_due  # last run in the previous slot
    assert not clock.is_due(now[0] - timedelta(seconds=0.01)).is_due  # already ran in this one
    assert abs(clock.is_due(now[0]).next - 0.15) < 1e-6
    assert pickle.loads(pickle.dumps(fast_clock.every(0.2))) == fast_clock.every(0.2)  # beat's file pickles it
