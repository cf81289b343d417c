"""The dead-letter store (course-owned): every task that fails for good is written down with its
arguments and error, so that a person can see it and run it again (`python manage.py deadletters`).

A retry is not a failure (Celery raises `Retry`, not the error), so a task that succeeds on its third
try leaves nothing here; one that runs out of retries, or meets a business error, leaves one row."""

from celery.signals import task_failure


# --8<-- [start:record]
@task_failure.connect
def record_dead_letter(sender=None, task_id=None, exception=None, args=None, kwargs=None, **_):
    from .models import DeadLetter

    DeadLetter.objects.create(
        task=getattr(sender, "name", str(sender)),
        task_id=task_id or "",
        args=list(args or []),
        kwargs=dict(kwargs or {}),
        error=f"{type(exception).__name__}: {exception}",
    )
# --8<-- [end:record]


def requeue(letter) -> str:
    """Send a dead letter's task again, with the same arguments; return the new task id."""
    from celery import current_app
    from django.utils import timezone

    result = current_app.send_task(letter.task, args=letter.args, kwargs=letter.kwargs)
    letter.requeued_at = timezone.now()
    letter.requeued_as = result.id
    letter.save(update_fields=["requeued_at", "requeued_as"])
    return result.id
