"""Exercise 1: the daily report as one workflow: build_dataset → render_pdf → upload_storage → notify.

The web request (and the mini-project's button) only *describes* the work and sends it; workers do
every step, each on the result of the step before. Right now this sends the first task at once and
hands the second one a promise of the first's result, which can't travel to a worker.
"""

from celery import chain  # noqa: F401 - you will need it

from notifications.tasks import notify
from reports.tasks import build_dataset, render_pdf, upload_storage

TEAM = "team@example.com"


# --8<-- [start:starter]
def daily_report(day: str):
    """The workflow for `day` ("2025-10-20"), returned unsent (the caller does `.apply_async()`):

    1. build_dataset({"day": day})
    2. render_pdf(<the dataset>, template="daily.html")
    3. upload_storage(<the rendered file>, path=f"daily/{day}.pdf")
    4. notify(TEAM, f"daily/{day}.pdf is ready"), which wants nothing from step 3.
    """
    # TODO: don't send anything here. Describe each step as a signature (`.s(...)` with the arguments
    #       you know now; the step before supplies the first one) and chain them. Step 4 takes no
    #       result: give it an immutable signature.
    dataset = build_dataset.delay({"day": day})
    rendered = render_pdf.delay(dataset, template="daily.html")
    stored = upload_storage.delay(rendered, path=f"daily/{day}.pdf")
    return notify.delay(TEAM, f"{stored} is ready")
# --8<-- [end:starter]
