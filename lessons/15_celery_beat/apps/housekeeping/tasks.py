"""Periodic housekeeping. Course-owned: what the jobs do is not the point of this lesson; when they run,
and how often, is. Each guarded job runs its body at most once per slot (exercise 2)."""

from celery import shared_task

from apps.common.once import once_per_slot
from apps.common.store import record_run, slot_seconds


# --8<-- [start:guarded]
@shared_task
@once_per_slot(slot_seconds(3600))  # crontab(minute=0): one slot per hour
def cleanup_temp():
    record_run("cleanup_temp")  # stands for: delete yesterday's exports, expired uploads, ...
# --8<-- [end:guarded]


@shared_task
@once_per_slot(slot_seconds(30))
def refresh_rates():
    record_run("refresh_rates")  # stands for: fetch exchange rates from a partner API


@shared_task
def tick_unguarded():
    """A control job (tests and notebook only): no guard, so it shows what beat itself sends."""
    record_run("tick_unguarded")


@shared_task
@once_per_slot(slot_seconds(60))
def tick_guarded():
    """A control job (tests and notebook only), guarded like the real ones."""
    record_run("tick_guarded")
