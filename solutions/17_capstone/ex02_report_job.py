"""Exercise 2: what the worker does for one report (the seed's `build_report_and_notify`)."""

from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from realtime.bridge import notify_user
from reports.data import collect
from reports.models import Report
from reports.pdf import render_pdf


# --8<-- [start:solution]
def run_report(report_id: int) -> None:
    report = Report.objects.get(pk=report_id)

    def progress(percent: int) -> None:
        # The row too, for the page's polling fallback; the push is what the progress bar shows live.
        Report.objects.filter(pk=report_id).update(percent=percent)
        notify_user(report.user_id, {"event": "pdf_progress", "report": report_id, "percent": percent})

    pdf = render_pdf(collect(report.user_id), progress=progress)
    # The storage API: local media here, S3 with a settings change. save=False: one UPDATE below.
    report.file.save(f"report-{report_id}.pdf", ContentFile(pdf), save=False)
    report.status, report.percent, report.finished_at = Report.DONE, 100, timezone.now()
    report.save(update_fields=["file", "status", "percent", "finished_at"])
    # Only now: the page enables the download button at once, so the file must already be there.
    notify_user(report.user_id, {"event": "pdf_ready", "report": report_id,
                                 "url": reverse("report_download", args=[report_id])})
# --8<-- [end:solution]
