"""Exercise 2: the weekly report as a chord: the days in parallel, one PDF when all are in."""

from awaitlings.testing import fail, load, need


def _weekly(week, days, published_tasks=None):
    weekly_report = need(load("reports.weekly"), "weekly_report")
    try:
        workflow = weekly_report(week, days)
    except Exception as error:  # noqa: BLE001
        fail(f"weekly_report({week!r}, ...) raised {type(error).__name__}: {error}.")
    if published_tasks is not None and published_tasks.names:
        fail(f"weekly_report() sent {len(published_tasks.names)} task(s) itself ({', '.join(published_tasks.names)}): "
             "return the workflow unsent.")
    from celery import Signature

    if not isinstance(workflow, Signature):
        fail(f"weekly_report() returned {type(workflow).__name__}, not a workflow.")
    return workflow


def _find_chord(workflow):
    from celery import chord

    todo = [workflow]
    while todo:
        node = todo.pop()
        if isinstance(node, chord):
            return node
        todo += list(getattr(node, "tasks", None) or [])
    return None


def test_weekly_report_is_a_chord_whose_members_keep_their_results(published_tasks, token):
    days = [f"{token}-mon", f"{token}-tue", f"{token}-wed"]
    workflow = _weekly(f"2025-W43-{token}", days, published_tasks)
    found = _find_chord(workflow)
    if found is None:
        names = [s.task for s in getattr(workflow, "tasks", None) or [workflow]]
        fail(f"weekly_report() returned {names}: no chord (a group whose results go to one callback). "
             "A single task that starts the days and waits for them holds a worker process doing nothing.")
    members = list(found.tasks)
    got = [(m.task, (m.args or [m.kwargs.get("params")])[0]) for m in members]
    want = [("reports.tasks.build_dataset", {"day": d}) for d in days]
    if got != want:
        fail(f"The chord's members should be one build_dataset({{'day': d}}) per day, in order: expected {want}, "
             f"got {got}.")
    for member in members:
        if member.options.get("ignore_result") or member.type.ignore_result:
            fail("A chord member ignores its result (ignore_result=True). Celery's docs: tasks in a chord must not "
                 "ignore their results; the callback is built from them, and backends that poll (chord_unlock) "
                 "would wait forever.")
    if found.body is None or found.body.task != "reports.tasks.render_pdf" and not any(
            t.task == "reports.tasks.render_pdf" for t in getattr(found.body, "tasks", [])):
        fail("The chord's callback should be render_pdf(template=\"weekly.html\") (then upload_storage).")


def test_the_days_are_built_at_the_same_time_and_one_pdf_holds_them_all(celery_worker, settle, storage, trace, token):
    days = [f"{token}-mon", f"{token}-tue", f"{token}-wed", f"{token}-thu"]
    week = f"2025-W44-{token}"
    workflow = _weekly(week, days)
    if _find_chord(workflow) is None:
        fail("weekly_report() returned no chord, so there is nothing to run in parallel: a group of the days "
             "whose results go to render_pdf is a chord.")
    value = settle(workflow.apply_async(), f"weekly_report({week!r})")
    pdf = storage.read(f"weekly/{week}.pdf")
    if pdf is None:
        fail(f"The workflow ended with {value!r}, but storage has no weekly/{week}.pdf.")
    positions = [pdf.find(f"== {day}:") for day in days]
    if -1 in positions or positions != sorted(positions) or "template=weekly.html" not in pdf:
        fail(f"weekly/{week}.pdf should be the weekly.html rendering of every day in order, but it reads:\n{pdf}")
    builds = sorted((e for e in trace(task="build_dataset") if e["label"] in days), key=lambda e: e["started"])
    if len(builds) != len(days):
        fail(f"Expected {len(days)} build_dataset runs, one per day; the worker ran {len(builds)}.")
    overlapping = max(sum(1 for b in builds if b["started"] < a["ended"] and a["started"] < b["ended"])
                      for a in builds)
    if overlapping < 2:
        fail(f"The worker has 2 pool processes, yet the {len(days)} days "
             "were built one at a time: one process was busy waiting. Build them as a group (a chord) so no "
             "task waits for another.")
