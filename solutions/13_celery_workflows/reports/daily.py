"""Exercise 1: the daily report as one workflow: build_dataset → render_pdf → upload_storage → notify."""

from celery import chain

from notifications.tasks import notify
from reports.tasks import build_dataset, render_pdf, upload_storage

TEAM = "team@example.com"


# --8<-- [start:solution]
def daily_report(day: str):
    """The workflow for `day` ("2025-10-20"), returned unsent (the caller does `.apply_async()`)."""
    return chain(
        # A signature is a task call written down: name, arguments, options. Nothing is sent yet.
        build_dataset.s({"day": day}),
        # Partial: the worker prepends the step before's result, so this runs render_pdf(dataset, template=...).
        render_pdf.s(template="daily.html"),
        upload_storage.s(path=f"daily/{day}.pdf"),
        # Immutable (.si): the stored path is NOT prepended; with .s this would be notify(path, TEAM, ...).
        notify.si(TEAM, f"daily/{day}.pdf is ready"),
    )
# --8<-- [end:solution]
