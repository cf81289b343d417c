"""Exercise 4: tell ops when a step of a report fails, with what failed and why."""

from celery import shared_task

from notifications.tasks import write_message

OPS = "ops@example.com"


# --8<-- [start:solution]
@shared_task
def report_failed(request, exc, traceback):
    """Error callback. With (request, exc, traceback) Celery calls it right in the worker where the task
    failed (with one argument it would be sent as a new task that only gets the failed task's id)."""
    return write_message(OPS, f"{request.task} failed: {exc!r}", task_id=request.id)


def with_alert(workflow):
    """`workflow`, with report_failed called if (and only if) one of its steps fails."""
    # on_error() is link_error() returning the workflow; on a chain it links every step.
    return workflow.on_error(report_failed.s())
# --8<-- [end:solution]
