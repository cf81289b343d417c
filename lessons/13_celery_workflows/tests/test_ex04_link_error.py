"""Exercise 4: an error callback tells ops which step failed and why, and stays quiet on success."""

from awaitlings.testing import fail, load, need

OPS = "ops@example.com"


def _guard(workflow):
    alerts = load("alerts.tasks")
    with_alert = need(alerts, "with_alert")
    try:
        guarded = with_alert(workflow)
    except Exception as error:  # noqa: BLE001
        fail(f"with_alert(workflow) raised {type(error).__name__}: {error}.")
    from celery import Signature

    if not isinstance(guarded, Signature):
        fail(f"with_alert(workflow) returned {type(guarded).__name__}: return the workflow, with the callback on it.")
    return guarded


def _error_callbacks(workflow) -> list:
    """The error callbacks attached anywhere in a workflow (on it, or on any of its steps)."""
    found, todo = [], [workflow]
    while todo:
        node = todo.pop()
        found += list(node.options.get("link_error") or [])
        todo += list(getattr(node, "tasks", None) or [])
    return found


def _pipeline(label):
    from reports.tasks import build_dataset, render_pdf, upload_storage

    return build_dataset.s({"day": label}) | render_pdf.s(template="daily.html") | upload_storage.s(path=f"alerts/{label}.pdf")


def _alerts_for(outbox, ids, timeout=0.3):
    return outbox.wait_for(lambda m: m["to"] == OPS and (m.get("task_id") in ids or any(i in m["subject"] for i in ids)),
                           timeout=timeout)


def test_when_a_step_fails_ops_get_one_alert_naming_the_task_and_the_error(celery_worker, outbox, token):
    from awaitlings.testing.celery import wait_result

    label = f"broken-{token}"
    guarded = _guard(_pipeline(label))
    if not _error_callbacks(guarded):
        fail("with_alert() attached no error callback: neither the workflow nor any of its steps has `link_error`. "
             "(`link` runs a callback on success.)")
    result = guarded.apply_async()
    first = result.parent.parent
    wait_result(first, celery_worker, timeout=5, task="build_dataset", propagate=False)
    if first.state != "FAILURE":
        fail(f"build_dataset({{'day': {label!r}}}) should have failed, but its state is {first.state}.")
    alerts = _alerts_for(outbox, {first.id, result.parent.id, result.id})
    if not alerts:
        fail(f"build_dataset failed (ValueError), but no alert to {OPS} mentions its task id. Is "
             "report_failed attached as the error callback (not as `link`, which runs on success)?")
    if len(alerts) != 1:
        fail(f"One failure should give one alert; {OPS} got {len(alerts)}.")
    subject = alerts[0]["subject"]
    if "reports.tasks.build_dataset" not in subject or "ValueError" not in subject or label not in subject:
        fail(f"The alert should name the failed task (reports.tasks.build_dataset) and its error (ValueError: no "
             f"sales data for {label!r}), but it says: {subject!r}. An error callback can take "
             "(request, exc, traceback).")


def test_a_failure_in_a_later_step_is_reported_too(celery_worker, outbox, token):
    from awaitlings.testing.celery import wait_result
    from reports.tasks import build_dataset, upload_storage

    label = f"later-{token}"
    # upload_storage gets a dataset where a rendered file belongs: KeyError('file') in the second step
    guarded = _guard(build_dataset.s({"day": label}) | upload_storage.s(path=f"alerts/{label}.pdf"))
    if not _error_callbacks(guarded):
        fail("with_alert() attached no error callback (`link_error`) to the workflow or its steps.")
    result = guarded.apply_async()
    wait_result(result, celery_worker, timeout=5, task="upload_storage", propagate=False)
    alerts = _alerts_for(outbox, {result.id})
    if not alerts or "reports.tasks.upload_storage" not in alerts[0]["subject"] or "KeyError" not in alerts[0]["subject"]:
        fail("When the second step (upload_storage) fails with KeyError, ops should get an alert naming it; got "
             f"{[a['subject'] for a in alerts] or 'no alert'}. The callback must be on every step, not only the first.")


def test_when_every_step_succeeds_there_is_no_alert(celery_worker, outbox, storage, token):
    from awaitlings.testing.celery import wait_result

    label = f"fine-{token}"
    result = _guard(_pipeline(label)).apply_async()
    value = wait_result(result, celery_worker, timeout=5, task="the guarded pipeline", propagate=False)
    if result.state != "SUCCESS" or value != f"alerts/{label}.pdf":
        fail(f"The guarded pipeline should still end with 'alerts/{label}.pdf', but it ended {result.state} "
             f"with {value!r}.")
    ids = {result.id, result.parent.id, result.parent.parent.id, f"alerts/{label}.pdf"}
    alerts = _alerts_for(outbox, ids, timeout=0.2)
    if alerts:
        fail(f"Every step succeeded, yet ops got an alert: {alerts[0]['subject']!r}. `link` runs a callback on "
             "success; the error callback is `link_error` (or `.on_error(...)`).")
