"""Exercise 3: routes send each app's tasks to its queue, and a worker per queue takes them."""

from awaitlings.testing import fail
from awaitlings.testing.celery import wait_result

WANT = {
    "reports.tasks.build_dataset": "reports",
    "reports.tasks.render_pdf": "reports",
    "reports.tasks.whoami": "reports",
    "notifications.tasks.notify": "noti",
    "notifications.tasks.whoami": "noti",
}


def _queue_of(app, name: str) -> str:
    return app.amqp.router.route({}, name)["queue"].name


def _check_routes(app) -> None:
    got = {name: _queue_of(app, name) for name in WANT}
    wrong = {name: queue for name, queue in got.items() if queue != WANT[name]}
    if wrong:
        name, queue = next(iter(wrong.items()))
        fail(f"{name} goes to the queue {queue!r}, but it should go to {WANT[name]!r} "
             f"({len(wrong)} of {len(WANT)} tasks are routed wrong). A route's pattern is matched against the "
             "task's name.")


def test_each_apps_tasks_are_routed_to_its_queue():
    from config import celery_app

    _check_routes(celery_app)
    if _queue_of(celery_app, "alerts.tasks.report_failed") != "celery":
        fail("alerts.tasks.report_failed should stay on the default queue \"celery\" (no route for it).")


def test_each_task_lands_on_the_worker_of_its_queue_and_a_queue_nobody_consumes_just_waits(celery_workers, side):
    app, env, redis = side
    _check_routes(app)  # before any worker starts: a wrong route would only show as a long wait
    report = app.send_task("reports.tasks.whoami")  # routed by your CELERY_TASK_ROUTES
    noti = app.send_task("notifications.tasks.whoami")
    orphan = app.send_task("reports.tasks.whoami", queue="pdf")  # a per-call queue that no worker consumes
    workers = celery_workers.start_many(*({"queues": [q], "name": q, "env": env} for q in ("reports", "noti")))
    for result, queue in ((report, "reports"), (noti, "noti")):
        ran = wait_result(result, workers, timeout=5, task=f"the {queue} task")
        if not ran["hostname"].startswith(f"{queue}@") or ran["routing_key"] != queue:
            fail(f"A task routed to {queue!r} ran on {ran['hostname']} (delivered from {ran['routing_key']!r}), "
                 f"not on the worker started with -Q {queue}.")
    waiting = redis.llen("pdf")
    if orphan.state != "PENDING" or waiting != 1:
        fail(f"A task sent to the queue 'pdf', which no worker consumes, should just wait there (PENDING, one "
             f"message in the list), but its state is {orphan.state} and the list holds {waiting}.")
    for worker in workers:
        worker.stop(grace=0)  # nothing left to finish: skip the warm shutdown (about a second each)
