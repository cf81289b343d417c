"""Exercise 2: what the worker does for one report (the seed's `build_report_and_notify`).

The course's Celery task `reports.tasks.render_report` (on the `reports` queue) marks the report
"running" and calls `run_report(report_id)` in a worker process. Make it:

1. read the report and its data from the database: `collect(user_id)`;
2. render the PDF with `render_pdf(data, progress=...)`: it calls progress(percent) after each section;
   push each step to the user as {"event": "pdf_progress", "report": id, "percent": percent};
3. store the PDF through Django's storage API (the report's FileField), so S3 is only a setting;
4. mark the report done (status, percent 100, finished_at);
5. then tell the user: {"event": "pdf_ready", "report": id, "url": the download URL
   (`reverse("report_download", args=[id])`)}.

`notify_user(user_id, payload)` (realtime/bridge.py) sends a payload to every socket of that user.
"""

from django.conf import settings

from realtime.bridge import notify_user
from reports.data import collect
from reports.models import Report
from reports.pdf import render_pdf


def run_report(report_id: int) -> None:
    report = Report.objects.get(pk=report_id)
    # TODO: tell the user how far the PDF is (render_pdf's progress callback).
    pdf = render_pdf(collect(report.user_id))
    # TODO: a path on this worker's disk is nowhere for the web servers (or for S3): use the storage API.
    (settings.SCRATCH / f"report-{report_id}.pdf").write_bytes(pdf)
    # TODO: mark the report done, then send the event the page waits for (with the download URL).
    notify_user(report.user_id, {"type": "report_ready"})
