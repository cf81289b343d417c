"""Exercise 3: beat's own state — where the schedule file lives and how often beat writes it — and what
a restart does with it: a killed beat comes back without repeating a slot, and remembers every run."""

from __future__ import annotations

import os
import shelve
import time
from pathlib import Path

from awaitlings.testing import fail, load
from awaitlings.testing.beat import FROM_SETTINGS

CONTROL = "tick-unguarded"


def _state(path: Path) -> dict:
    """The entries beat wrote to its schedule file (a shelve), read after it stopped."""
    with shelve.open(str(path), flag="r") as store:
        return dict(store.get("entries", {}))


def _state_file(beats) -> Path:
    files = [p for p in beats.state_dir.glob("*") if p.name.startswith("celerybeat-schedule")]
    if not files:
        stray = sorted(p.name for p in beats.cwd.iterdir())
        where = (f"It wrote {', '.join(stray)} into the folder it was started from (a container's working "
                 "directory: gone on the next deploy)") if stray else "It wrote none at all"
        fail(f"With BEAT_STATE_DIR={beats.state_dir}, beat should keep its schedule file there, as "
             f"celerybeat-schedule. {where}.")
    return beats.state_dir / "celerybeat-schedule"


def test_the_state_file_goes_where_beat_state_dir_says(monkeypatch, tmp_path):
    module = load("config.beat_state")
    name = getattr(module, "CELERY_BEAT_SCHEDULE_FILENAME", None)
    if not name or not os.path.isabs(str(name)):
        fail(f"CELERY_BEAT_SCHEDULE_FILENAME should be an absolute path in BEAT_STATE_DIR, but it is {name!r}: a "
             "relative one is relative to whatever folder beat was started in.")
    if getattr(module, "CELERY_BEAT_SYNC_EVERY", 0) != 1:
        fail(f"CELERY_BEAT_SYNC_EVERY should be 1 (write the state after every task sent), but it is "
             f"{getattr(module, 'CELERY_BEAT_SYNC_EVERY', None)!r}: by default beat writes it every 3 minutes.")


# --8<-- [start:restart]
def test_a_killed_beat_restarts_without_repeating_or_forgetting_a_run(beats, runs, worker, slots, tick):
    load("config.beat_state")
    beat = beats.make(schedule_file=FROM_SETTINGS)  # the file your settings name
    with beat:
        beat.wait_sent(CONTROL, count=2, timeout=10)
        time.sleep(tick / 2)  # between two ticks: any write for the last send is done
        sent_before = beat.sent()[CONTROL]
        beat.kill()  # a crash: SIGKILL, no goodbye, no final write
    remembered = _state(_state_file(beats))[CONTROL].total_run_count
    if remembered != sent_before:
        fail(f"Beat sent {CONTROL!r} {sent_before} times, then was killed; its state file remembers "
             f"{remembered}. Restarted, it would send the forgotten ones again.")

    with beat:  # started again: the same command, the same state file
        beat.wait_sent(CONTROL, count=1, timeout=10)
    runs.drain(worker)
    total = _state(_state_file(beats))[CONTROL].total_run_count
    if total != sent_before + beat.sent()[CONTROL]:
        fail(f"After the restart beat counts {total} runs of {CONTROL!r}, but it sent {sent_before} before and "
             f"{beat.sent()[CONTROL]} after: it didn't carry on from its state file.")
    ran = [slots(t) for t in runs.of("tick_unguarded")]
    repeated = sorted({s for s in ran if ran.count(s) > 1})
    if repeated:
        fail(f"Across the restart a {tick:g}-second slot ran twice ({len(repeated)} slot(s)): the restarted beat "
             "didn't know the last run had happened.")
# --8<-- [end:restart]
