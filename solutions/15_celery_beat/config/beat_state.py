"""Exercise 3: where beat keeps its own state, and how often it writes it (config/settings.py imports this)."""

import os
from pathlib import Path

# --8<-- [start:state]
# Beat's state is a file: when each entry last ran. It belongs on a volume that outlives the process and
# the container (the default, ./celerybeat-schedule, is wherever beat happened to start).
BEAT_STATE_DIR = Path(os.environ.get("BEAT_STATE_DIR", Path(__file__).resolve().parent.parent / "var"))
CELERY_BEAT_SCHEDULE_FILENAME = str(BEAT_STATE_DIR / "celerybeat-schedule")

# Write it after every task beat sends, not every 3 minutes: a beat killed between two writes forgets
# the runs it sent since the last one, and sends them again when it comes back.
CELERY_BEAT_SYNC_EVERY = 1
# --8<-- [end:state]
