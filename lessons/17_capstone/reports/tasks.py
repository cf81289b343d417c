"""Report tasks. `render_report` is the Celery plumbing around exercise 2's `run_report` (routed to the
`reports` queue in settings); `cleanup_old_reports` is the hourly beat job."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from realtime.bridge import notify_user

from . import pdf  # noqa: F401 - fpdf2 imported once in the worker's main process, before it forks its pool
from .models import Report


# --8<-- [start:task]
@shared_task(bind=True)
def render_report(self, report_id: int) -> str:
    # Claimed by this worker: the page (and the tests) can tell it left the queue.
    taken = Report.objects.filter(pk=report_id).update(status=Report.RUNNING, task_id=self.request.id or "",
                                                       worker=self.request.hostname or "")
    if not taken:
        return "gone"  # deleted (cleaned up) before a worker got to it
    from ex02_report_job import run_report  # exercise 2, imported when used

    try:
        run_report(report_id)
    except Exception as error:
        Report.objects.filter(pk=report_id).update(status=Report.FAILED, error=repr(error)[:500])
        user_id = Report.objects.values_list("user_id", flat=True).get(pk=report_id)
        notify_user(user_id, {"event": "pdf_failed", "report": report_id, "error": type(error).__name__})
        raise
    return Report.objects.values_list("status", flat=True).get(pk=report_id)
# --8<-- [end:task]


# --8<-- [start:cleanup]
@shared_task
def cleanup_old_reports() -> int:
    """Delete reports (rows and files) older than REPORT_MAX_AGE_HOURS. Sent hourly by beat."""
    cutoff = timezone.now() - timedelta(hours=settings.REPORT_MAX_AGE_HOURS)
    removed = 0
    for report in Report.objects.filter(created_at__lt=cutoff).exclude(status=Report.RUNNING):
        if report.file:
            report.file.delete(save=False)  # through the storage API, like the save
        report.delete()
        removed += 1
    return removed
# --8<-- [end:cleanup]
