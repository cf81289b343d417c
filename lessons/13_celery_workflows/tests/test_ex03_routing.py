"""Exercise 3: routes send each app's tasks to its queue, and a worker per queue takes them."""

import time

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


def test_a_task_lands_on_the_worker_of_its_queue_and_waits_while_there_is_none(celery_workers, side):
    app, env, redis = side
    _check_routes(app)  # before any worker starts: a wrong route would only show as a long wait
    report = app.send_task("reports.tasks.whoami")  # nobody consumes "reports" yet
    noti_worker = celery_workers.start(queues=["noti"], name="noti", env=env)
    noti = wait_result(app.send_task("notifications.tasks.whoami"), noti_worker, timeout=5,
                       task="notifications.tasks.whoami")
    if not noti["hostname"].startswith("noti@") or noti["routing_key"] != "noti":
        fail(f"The notification task ran on {noti['hostname']} from {noti['routing_key']!r}, not on the noti worker.")
    time.sleep(0.1)
    waiting = redis.llen("reports")
    if report.state != "PENDING" or waiting != 1:
        fail(f"With no worker on \"reports\", the report task should wait there (PENDING, 1 message in the list), "
             f"but its state is {report.state} and the list holds {waiting}.")
    reports_worker = celery_workers.start(queues=["reports"], name="reports", env=env)
    ran = wait_result(report, [reports_worker, noti_worker], timeout=5, task="reports.tasks.whoami")
    if not ran["hostname"].startswith("reports@") or ran["routing_key"] != "reports":
        fail(f"The report task ran on {ran['hostname']} from {ran['routing_key']!r}, not on the reports worker.")
    for worker in (reports_worker, noti_worker):
        worker.stop(grace=0)  # nothing left to finish: skip the warm shutdown (about a second each)
