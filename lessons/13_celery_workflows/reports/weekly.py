"""Exercise 2: the weekly report: one dataset per day, built in parallel, then one PDF of them all.

Right now the workflow is a single task, build_weekly, that starts the days and then *waits* for them
inside the worker (see reports/tasks.py). It holds a pool process doing nothing, and on a worker whose
processes are all waiting like that, it never finishes.
"""

from celery import chord, group  # noqa: F401 - you will need one of them

from reports.tasks import build_dataset, build_weekly, render_pdf, upload_storage  # noqa: F401


# --8<-- [start:starter]
def weekly_report(week: str, days: list[str]):
    """The workflow for `week` ("2025-W43"), returned unsent:

    build_dataset({"day": d}) for every d in `days`, all at once; when all are done,
    render_pdf(<the list of datasets, in the order of days>, template="weekly.html"),
    then upload_storage(<the rendered file>, path=f"weekly/{week}.pdf").
    """
    # TODO: a group of one signature per day, whose results go to render_pdf when all are in (that is
    #       a chord: it needs the result backend, and the members must keep their results), then
    #       upload_storage. No task may wait for another.
    return build_weekly.s(week, days)
# --8<-- [end:starter]
