"""Exercise 1: the daily report as a chain of signatures (partial and immutable), run by a worker."""

from awaitlings.testing import fail, load, need


def _daily(day, published_tasks=None):
    daily_report = need(load("reports.daily"), "daily_report")
    try:
        workflow = daily_report(day)
    except Exception as error:  # noqa: BLE001
        fail(f"daily_report({day!r}) raised {type(error).__name__}: {error}. It should only describe the "
             "work (signatures need no worker and send nothing); a worker's result can't be passed to the next "
             "task from here, because it doesn't exist yet.")
    if published_tasks is not None and published_tasks.names:
        fail(f"daily_report({day!r}) sent {len(published_tasks.names)} task(s) itself ({', '.join(published_tasks.names)}). "
             "It should return the workflow unsent, so the caller decides when (`.apply_async()`).")
    from celery import Signature

    if not isinstance(workflow, Signature):
        fail(f"daily_report({day!r}) returned {type(workflow).__name__}, not a workflow (a chain of signatures).")
    return workflow


def _steps(workflow) -> list:
    return list(getattr(workflow, "tasks", None) or [workflow])


def test_daily_report_describes_four_steps_and_sends_nothing(published_tasks, token):
    day = f"2025-10-20-{token}"
    steps = _steps(_daily(day, published_tasks))
    names = [s.task for s in steps]
    want = ["reports.tasks.build_dataset", "reports.tasks.render_pdf", "reports.tasks.upload_storage",
            "notifications.tasks.notify"]
    if names != want:
        fail(f"The chain's steps should be {want}, but they are {names}.")
    build, render, upload, notify = steps
    if render.args:
        fail(f"render_pdf's signature already holds positional arguments {render.args!r}: leave the first one "
             "out, the worker fills it in with the dataset of the step before (a partial signature).")
    if render.kwargs.get("template") != "daily.html" or upload.kwargs.get("path", (upload.args or [None])[-1]) != f"daily/{day}.pdf":
        fail("render_pdf should get template=\"daily.html\" and upload_storage path=\"daily/<day>.pdf\" "
             f"(got {render.kwargs!r} and {upload.kwargs or upload.args!r}).")
    if not notify.immutable:
        fail("The notify step should be immutable (`.si(...)`): otherwise the worker adds upload_storage's "
             "result to its arguments, and notify(path, to, subject) is a TypeError.")


def test_a_worker_runs_the_chain_and_the_pdf_lands_in_storage(celery_worker, published_tasks, settle, storage, outbox, token):
    day = f"2025-10-21-{token}"
    workflow = _daily(day, published_tasks)
    result = workflow.apply_async()
    if len(published_tasks.names) != 1:
        fail(f"Sending the chain published {len(published_tasks.names)} messages from the caller ({published_tasks.names}); "
             "a chain sends only its first step: each worker sends the next one when its step is done.")
    settle(result, f"daily_report({day!r})")
    pdf = storage.read(f"daily/{day}.pdf")
    if pdf is None:
        fail(f"The chain finished, but storage has no daily/{day}.pdf.")
    if "template=daily.html" not in pdf or day not in pdf:
        fail(f"daily/{day}.pdf should be the daily.html rendering of {day}'s dataset, but it reads:\n{pdf}")
    told = outbox.wait_for(lambda m: m["to"] == "team@example.com" and f"daily/{day}.pdf" in m["subject"])
    if not told:
        fail(f"Nobody told team@example.com that daily/{day}.pdf is ready (the chain's last step).")

