"""Exercise 2: the weekly report: one dataset per day, built in parallel, then one PDF of them all."""

from celery import chord, group  # noqa: F401

from reports.tasks import build_dataset, render_pdf, upload_storage


# --8<-- [start:solution]
def weekly_report(week: str, days: list[str]):
    """The workflow for `week` ("2025-W43"), returned unsent."""
    # The seed's line: a group piped into a task is upgraded to a chord. Its members' results wait in the
    # result backend (Redis) until the last one is in; then a worker runs the body with the list, in order.
    # Nobody waits: no pool process is held while the days are being built.
    return (
        group(build_dataset.s({"day": day}) for day in days)
        | render_pdf.s(template="weekly.html")
        | upload_storage.s(path=f"weekly/{week}.pdf")
    )
# --8<-- [end:solution]
