"""Exercise 3: where beat keeps its own state, and how often it writes it (config/settings.py imports this).

Beat remembers when each entry last ran in a file (a Python shelve). Right now that is Celery's default:
`celerybeat-schedule` in whatever folder beat was started from, written every 3 minutes.
"""

import os  # noqa: F401
from pathlib import Path  # noqa: F401

# TODO: keep the file in the folder named by the environment variable BEAT_STATE_DIR (default: var/ next
#       to manage.py), as celerybeat-schedule. Expose that folder as BEAT_STATE_DIR too.
CELERY_BEAT_SCHEDULE_FILENAME = "celerybeat-schedule"

# TODO: write the state after every task beat sends.
