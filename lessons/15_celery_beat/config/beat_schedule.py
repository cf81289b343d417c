"""Exercise 1: the periodic jobs of the project, and the clock they follow (config/settings.py imports this).

Copied from the blog post: the hourly cleanup is right, the rest is not there yet.
The jobs we want:
  - cleanup-temp-hourly  apps.housekeeping.tasks.cleanup_temp    every hour, on the hour
  - send-digest-morning  apps.notifications.tasks.send_digest    once a day, at 09:00 Seoul time
  - refresh-rates        apps.housekeeping.tasks.refresh_rates   every 30 seconds
"""

from celery.schedules import crontab

# TODO: the clock the crontab entries follow (Celery's default is UTC).

CELERY_BEAT_SCHEDULE = {
    "cleanup-temp-hourly": {
        "task": "apps.housekeeping.tasks.cleanup_temp",
        "schedule": crontab(minute=0),
    },
    "send-digest-morning": {
        "task": "apps.notifications.tasks.send_digest",
        # TODO: check this against the list above: how many times does it fire between 09:00 and 10:00?
        "schedule": crontab(hour=9),
    },
    # TODO: refresh-rates, every 30 seconds.
}
