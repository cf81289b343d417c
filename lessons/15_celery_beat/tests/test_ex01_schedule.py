"""Exercise 1: the seed's schedule, in Seoul time, with an interval; checked at chosen instants (no
waiting an hour) and on a real beat process sending to a real worker."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from awaitlings.testing import fail, load

SEOUL = ZoneInfo("Asia/Seoul")
UTC = timezone.utc
ENTRIES = {
    "cleanup-temp-hourly": "apps.housekeeping.tasks.cleanup_temp",
    "send-digest-morning": "apps.notifications.tasks.send_digest",
    "refresh-rates": "apps.housekeeping.tasks.refresh_rates",
}


def _schedule():
    module = load("config.beat_schedule")
    beat_schedule = getattr(module, "CELERY_BEAT_SCHEDULE", None)
    if not isinstance(beat_schedule, dict):
        fail("config/beat_schedule.py should define CELERY_BEAT_SCHEDULE = {...} (a dict of entries).")
    for name, task in ENTRIES.items():
        entry = beat_schedule.get(name)
        if entry is None:
            fail(f"CELERY_BEAT_SCHEDULE has no entry {name!r} (it has: {', '.join(beat_schedule) or 'none'}).")
        if entry.get("task") != task:
            fail(f"The entry {name!r} should send the task {task!r}, but it sends {entry.get('task')!r}.")
    return beat_schedule


def _entry_schedule(name: str):
    """The entry's schedule object, bound to the app (its time zone), as beat would see it."""
    from celery.schedules import maybe_schedule

    import config

    app = config.celery_app
    return maybe_schedule(_schedule()[name]["schedule"], app=app)


# --8<-- [start:fires]
def fires(schedule, start: datetime, end: datetime, step=timedelta(minutes=1)) -> list[datetime]:
    """When beat would send `schedule` between `start` and `end`, asking it once per `step`, with the clock
    stopped at each instant (`nowfun`) instead of waiting for it: the same is_due() beat calls."""
    fired, last_run_at = [], start
    at = start + step
    while at < end:
        frozen = copy.copy(schedule)
        frozen.nowfun = lambda at=at: at
        if frozen.is_due(last_run_at).is_due:
            fired.append(at)
            last_run_at = at
        at += step
    return fired
# --8<-- [end:fires]


def _seoul(times: list[datetime]) -> str:
    shown = [t.astimezone(SEOUL).strftime("%H:%M") for t in times[:4]]
    return f"{len(times)} time(s)" + (f", at {', '.join(shown)}{' ...' if len(times) > 4 else ''} Seoul time" if times else "")


def test_the_crontab_fields_are_read_in_seoul_time():
    module = load("config.beat_schedule")
    tz = getattr(module, "CELERY_TIMEZONE", None)
    if tz != "Asia/Seoul":
        fail(f"CELERY_TIMEZONE should be 'Asia/Seoul' (the seed's time zone), but it is {tz!r}: crontab hours "
             "are then read in " + ("UTC, Celery's default" if tz is None else repr(tz)) + ".")
    import config

    got = str(config.celery_app.conf.timezone)
    if got != "Asia/Seoul":
        fail(f"config/beat_schedule.py sets CELERY_TIMEZONE, but the app's timezone is {got!r}.")


# --8<-- [start:digest_test]
def test_the_morning_digest_is_due_once_a_day_at_nine_in_seoul_which_is_midnight_utc():
    digest = _entry_schedule("send-digest-morning")
    day = datetime(2026, 12, 7, 0, 0, tzinfo=UTC) - timedelta(hours=1)  # 08:00 in Seoul
    got = fires(digest, day, day + timedelta(days=1))
    want = [datetime(2026, 12, 7, 0, 0, tzinfo=UTC)]  # 09:00 in Seoul
    if got != want:
        fail(f"Over one day, send-digest-morning should fire once, at 09:00 Seoul time (00:00 UTC); "
             f"it fired {_seoul(got)}.")
# --8<-- [end:digest_test]


def test_the_cleanup_runs_every_hour_on_the_hour():
    cleanup = _entry_schedule("cleanup-temp-hourly")
    start = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
    got = fires(cleanup, start, start + timedelta(hours=6))
    want = [start + timedelta(minutes=30) + timedelta(hours=h) for h in range(6)]
    if got != want:
        fail(f"Over six hours, cleanup-temp-hourly should fire 6 times, each at minute 0; it fired {_seoul(got)}.")


def test_refresh_rates_is_an_interval_of_thirty_seconds():
    from celery.schedules import crontab

    rates = _entry_schedule("refresh-rates")
    if isinstance(rates, crontab):
        fail("refresh-rates should be an interval (a number of seconds or a timedelta), not a crontab: crontab's "
             "smallest step is a minute.")
    if rates.run_every != timedelta(seconds=30):
        fail(f"refresh-rates should run every 30 s, but its interval is {rates.run_every}.")
    start = datetime(2026, 12, 7, 0, 0, 10, tzinfo=UTC)
    got = fires(rates, start, start + timedelta(minutes=2, seconds=1), step=timedelta(seconds=1))
    if len(got) != 4:
        fail(f"In the two minutes after a run, refresh-rates should fire 4 times; it fired {len(got)} times.")


def test_a_real_beat_sends_every_entry_and_a_real_worker_runs_it(beats, runs, worker, tick):
    _schedule()
    (beat,) = beats.start()  # on the fast clock: every entry due each tick
    # Two sends of the control job: beat sends every entry due in a tick before any of the next tick's, so
    # by then each entry has been sent at least once (one tick fewer to wait than three sends).
    beat.wait_sent("tick-unguarded", count=2, timeout=10)
    beat.stop()
    runs.drain(worker)
    sent = beat.sent()
    for name in ENTRIES:
        if sent[name] < 1:
            fail(f"On a {tick:g}-second clock, beat sent {name!r} {sent[name]} time(s) while it sent the control "
                 f"job {sent['tick-unguarded']} times. Is it in CELERY_BEAT_SCHEDULE?")
    dropped = [task for task in ENTRIES.values() if f"unregistered task of type '{task}'" in worker.output()]
    if dropped:
        fail(f"The worker received {dropped[0]!r} but doesn't know it, so it dropped it: check the task name.")
    control = runs.of("tick_unguarded")
    if not control:
        fail(f"Beat sent the control job {sent['tick-unguarded']} times, but the worker ran it {len(control)} times.")
