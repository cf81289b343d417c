"""Exercise 4: tell ops when a step of a report fails, with what failed and why.

`with_alert(workflow)` gets any workflow (a chain like the daily report) and returns it with an error
callback attached. Right now the callback is attached as a *success* callback, and it only ever learns
a task id.
"""

from celery import shared_task

from notifications.tasks import write_message

OPS = "ops@example.com"


# --8<-- [start:starter]
# TODO: an error callback can receive the failed task's request (its .id and .task name), the exception
#       and the traceback: take those three and put the task's name, id and the error into the alert.
@shared_task
def report_failed(task_id):
    """Write an alert for OPS (write_message(OPS, subject, task_id=...)) and return it."""
    return write_message(OPS, f"task {task_id} failed", task_id=task_id)


def with_alert(workflow):
    """`workflow`, with report_failed called if (and only if) one of its steps fails."""
    # TODO: `link` runs a callback when a task *succeeds*. Attach report_failed as the error callback
    #       of every step instead.
    return workflow.set(link=report_failed.s())
# --8<-- [end:starter]
