"""Exercise 3: the report task tells its user how far it is, as it goes.

The browser shows a progress bar. It hears about the job in two ways:
- pushed over its WebSocket: {"event": "progress", "task_id": ..., "percent": p} after every step
  (p = 100 * steps done / steps, rounded), and {"event": "done", "task_id": ..., "result": {...}} at
  the end;
- and, when its WebSocket is gone (the channel layer's Redis is down, a proxy dropped it), by polling
  GET /api/reports/<task_id>/, which reads the task's state from the result backend: "PROGRESS" with
  {"percent": p} while the job runs, then "SUCCESS" with the result.
"""

import logging

from celery import shared_task
from redis.exceptions import RedisError

from realtime.bridge import notify_user
from reports.work import crunch_row

log = logging.getLogger(__name__)


# --8<-- [start:push]
def push(user_id: int, payload: dict) -> bool:
    """A push is a courtesy: the result backend is the truth, and the browser polls it when its socket
    is gone. So a channel layer that is down costs a log line, never the job."""
    try:
        notify_user(user_id, payload)
    except (RedisError, OSError) as error:
        log.warning("push to user %s failed (%s): the page falls back to polling", user_id, error)
        return False
    return True
# --8<-- [end:push]


# --8<-- [start:task]
@shared_task(bind=True)
def build_report(self, user_id: int, steps: int) -> dict:
    rows = []
    for i in range(steps):
        rows.append(crunch_row(i))
        percent = round(100 * (i + 1) / steps)
        # For polling: the status URL reads this from the result backend (the broker's Redis).
        self.update_state(state="PROGRESS", meta={"percent": percent})
        # For the live bar: pushed now, while the job runs, not when it is over.
        push(user_id, {"event": "progress", "task_id": self.request.id, "percent": percent})
    result = {"rows": len(rows), "total": sum(rows)}
    push(user_id, {"event": "done", "task_id": self.request.id, "result": result})
    return result
# --8<-- [end:task]
