"""Exercise 3: the report task tells its user how far it is, as it goes.

The browser shows a progress bar. It hears about the job in two ways:
- pushed over its WebSocket: {"event": "progress", "task_id": ..., "percent": p} after every step
  (p = 100 * steps done / steps, rounded), and {"event": "done", "task_id": ..., "result": {...}} at
  the end;
- and, when its WebSocket is gone (the channel layer's Redis is down, a proxy dropped it), by polling
  GET /api/reports/<task_id>/, which reads the task's state from the result backend: "PROGRESS" with
  {"percent": p} while the job runs, then "SUCCESS" with the result.

Right now it is the source post's task: heavy work, then one notify at the very end.
"""

from celery import shared_task

from realtime.bridge import notify_user
from reports.work import crunch_row


# --8<-- [start:seed]
@shared_task(bind=True)
def build_report(self, user_id: int, steps: int) -> dict:
    rows = []
    for i in range(steps):
        rows.append(crunch_row(i))  # ... the heavy work
        # TODO: tell the user how far the job is (push it, and record it for the status URL).
    result = {"rows": len(rows), "total": sum(rows)}
    # TODO: a push is a courtesy: the job must finish even when the channel layer is down.
    notify_user(user_id, {"event": "done", "task_id": self.request.id, "result": result})
    return result
# --8<-- [end:seed]
