"""Exercise 1: the periodic jobs of the project, and the clock they follow (config/settings.py imports this)."""

from datetime import timedelta

from celery.schedules import crontab

# --8<-- [start:schedule]
# crontab fields are read in this time zone: "hour=9" is 09:00 in Seoul, 00:00 UTC.
CELERY_TIMEZONE = "Asia/Seoul"

CELERY_BEAT_SCHEDULE = {
    "cleanup-temp-hourly": {
        "task": "apps.housekeeping.tasks.cleanup_temp",
        "schedule": crontab(minute=0),  # every hour, on the hour
    },
    "send-digest-morning": {
        "task": "apps.notifications.tasks.send_digest",
        # minute=0 matters: crontab(hour=9) alone is every minute from 09:00 to 09:59, 60 digests.
        "schedule": crontab(minute=0, hour=9),
    },
    "refresh-rates": {
        "task": "apps.housekeeping.tasks.refresh_rates",
        "schedule": timedelta(seconds=30),  # an interval: 30 s after the last run, wherever that fell
    },
}
# --8<-- [end:schedule]
