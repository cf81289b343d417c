"""The morning digest mail. Course-owned, like the housekeeping jobs."""

from celery import shared_task

from apps.common.once import once_per_slot
from apps.common.store import record_run, slot_seconds


@shared_task
@once_per_slot(slot_seconds(24 * 3600))  # crontab(minute=0, hour=9) in Seoul: one slot per day
def send_digest():
    record_run("send_digest")  # stands for: mail every user what happened yesterday
