"""What a restart does to a crontab job, computed at chosen instants (no waiting). Course-owned.

Beat is down from 08:59 to 09:01 Seoul time, across the digest's 09:00 slot. When it comes back it asks
each entry `is_due(last_run_at)`. With its schedule file, last_run_at is yesterday's 09:00; without it
(a new container, the file in a folder that didn't survive), beat starts every entry from "now"."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery import Celery
from celery.schedules import crontab

SEOUL = ZoneInfo("Asia/Seoul")
app = Celery("restart_math", set_as_current=False)
app.conf.timezone = "Asia/Seoul"  # as CELERY_TIMEZONE does for the project's app


# --8<-- [start:restart]
def digest_after_restart(*, with_state_file: bool) -> dict:
    digest = crontab(minute=0, hour=9, app=app)  # 09:00 in Seoul
    back_at = datetime(2026, 12, 7, 9, 1, tzinfo=SEOUL)  # beat restarts at 09:01
    if with_state_file:
        last_run_at = datetime(2026, 12, 6, 9, 0, tzinfo=SEOUL)  # read back from the file: yesterday
    else:
        last_run_at = back_at  # a new entry: Celery takes "now" as its last run
    frozen = copy.copy(digest)
    frozen.nowfun = lambda: back_at  # the clock stopped at 09:01
    due, next_in = frozen.is_due(last_run_at)
    return {"sent_at_restart": due, "next_run": back_at + timedelta(seconds=next_in)}
# --8<-- [end:restart]


if __name__ == "__main__":
    for state in (True, False):
        print(f"with_state_file={state}:", digest_after_restart(with_state_file=state))
