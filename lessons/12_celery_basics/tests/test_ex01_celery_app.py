"""Exercise 1: a Celery app that reads Django's settings, finds every app's tasks, and runs them on a
real worker process."""

import os

from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result


def _app():
    config = load("config")
    app = getattr(config, "celery_app", None)
    if app is None:
        fail("config/__init__.py should export the app: `from .celery import app as celery_app` "
             "(and list it in `__all__`). Importing the package is what creates the app when Django starts.")
    from celery import Celery

    if not isinstance(app, Celery):
        fail(f"`config.celery_app` should be the Celery app from config/celery.py, but it is {type(app).__name__}.")
    return app


def test_the_project_package_exports_the_celery_app():
    app = _app()
    celery_module = load("config.celery")
    if getattr(celery_module, "app", None) is not app:
        fail("`config.celery_app` should be the very `app` created in config/celery.py.")


def test_broker_and_results_come_from_django_settings_and_the_environment():
    app = _app()
    from django.conf import settings

    want = os.environ["REDIS_URL"]
    if getattr(settings, "CELERY_BROKER_URL", None) != want:
        fail(f"CELERY_BROKER_URL should come from the environment ($REDIS_URL, here {want}), "
             f"but it is {getattr(settings, 'CELERY_BROKER_URL', None)!r}.")
    if app.conf.broker_url != want:
        fail(f"The app's broker is {app.conf.broker_url!r}, although CELERY_BROKER_URL is {want!r}: "
             "the app doesn't read Django's settings. Call `app.config_from_object(\"django.conf:settings\", "
             "namespace=\"CELERY\")`.")
    if app.conf.result_backend != want:
        fail(f"The result backend should be $REDIS_URL too (CELERY_RESULT_BACKEND), but it is "
             f"{app.conf.result_backend!r}: without one, nobody can ask a task for its result or state.")


def test_the_settings_are_the_ones_a_production_worker_needs():
    app = _app()
    from django.conf import settings

    if hasattr(settings, "CELERYD_PREFETCH_MULTIPLIER"):
        fail("CELERYD_PREFETCH_MULTIPLIER is the pre-4.0 name (deprecated; Celery 6 drops it). Under the "
             "CELERY namespace the setting is CELERY_WORKER_PREFETCH_MULTIPLIER.")
    conf = app.conf
    checks = [
        ("task_serializer", "CELERY_TASK_SERIALIZER", "json"),
        ("result_serializer", "CELERY_RESULT_SERIALIZER", "json"),
        ("accept_content", "CELERY_ACCEPT_CONTENT", ["json"]),
        ("timezone", "CELERY_TIMEZONE", "Asia/Seoul"),
        ("task_time_limit", "CELERY_TASK_TIME_LIMIT", 60),
        ("task_soft_time_limit", "CELERY_TASK_SOFT_TIME_LIMIT", 50),
        ("worker_max_tasks_per_child", "CELERY_WORKER_MAX_TASKS_PER_CHILD", 1000),
        ("worker_prefetch_multiplier", "CELERY_WORKER_PREFETCH_MULTIPLIER", 1),
    ]
    for key, setting, want in checks:
        got = conf.get(key)
        if isinstance(want, list) and isinstance(got, (list, tuple, set)):
            got = sorted(got)
        if got != want:
            fail(f"{setting} should be {want!r}, but the app has {key} = {got!r}.")
    if conf.task_always_eager:
        fail("CELERY_TASK_ALWAYS_EAGER runs tasks inside the caller, skipping the broker and the worker: "
             "never in a real project (Celery's docs say it isn't a way to test either).")


# --8<-- [start:real_worker]
def test_a_worker_process_finds_and_runs_a_task_of_an_installed_app(worker):
    worker.expect_registered("jobs.tasks.crunch")
    crunch = load("jobs.tasks").crunch
    steps = 3
    result = crunch.delay(steps)
    got = wait_result(result, worker, timeout=5, task="jobs.tasks.crunch")
    want = {"steps": steps, "sum_of_squares": sum(i * i for i in range(steps))}
    assert got == want, f"the worker returned {got!r}, expected {want!r}"
# --8<-- [end:real_worker]
