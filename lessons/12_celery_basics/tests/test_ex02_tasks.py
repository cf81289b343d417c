"""Exercise 2: a task a worker process runs (by id, never a model instance), now, after a countdown, or at
an ETA, with the caller never waiting."""

import time
from datetime import timedelta

import pytest
from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result

pytestmark = pytest.mark.django_db(transaction=True)
TASK = "accounts.tasks.send_welcome_mail"


def _task():
    task = load("accounts.tasks").send_welcome_mail
    if not hasattr(task, "delay"):
        fail("`send_welcome_mail` is still a plain function: decorate it with `@shared_task` "
             "(`from celery import shared_task`) so a worker can run it.")
    return task


def _user(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(username=username, email=f"{username}@example.com")


def _result(value, what):
    if not (hasattr(value, "id") and hasattr(value, "get")):
        fail(f"{what} should return the AsyncResult that `apply_async` gives back at once, but it returned "
             f"{value!r}.")
    return value


def test_the_worker_sends_the_welcome_mail_for_a_user_id(worker, outbox):
    task = _task()
    worker.expect_registered(TASK)
    user = _user("grace")
    result = task.delay(user.id)
    result.get(timeout=5, propagate=False)
    if result.failed():
        fail(f"The worker ran send_welcome_mail({user.id}) and it raised {result.result!r}. The task gets "
             "the user's id (a number, from JSON): load the user from it inside the task.")
    got = wait_result(result, worker, task=TASK)
    message = outbox.wait_for(user.email)
    assert "Welcome, grace!" in (message.get("Subject") or ""), \
        f"the subject should be 'Welcome, grace!', got {message.get('Subject')!r}"
    assert got == user.email, f"the task should return the address it wrote to ({user.email}), got {got!r}"


def test_welcome_later_returns_at_once_and_the_worker_sends_after_the_countdown(worker, outbox):
    _task()
    welcome_later = load("accounts.tasks").welcome_later
    user = _user("ada")
    countdown = 0.6
    started = time.monotonic()
    result = _result(welcome_later(user.id, countdown), "welcome_later(user_id, seconds)")
    returned = time.monotonic() - started
    if returned >= countdown:
        fail(f"welcome_later took {returned:.2f} s to return: the caller waited out the countdown itself. "
             "Let the worker wait (`countdown=`).")
    if outbox.to(user.email):
        fail("The mail was already sent when welcome_later returned: the countdown was ignored.")
    wait_result(result, worker, task=TASK, timeout=countdown + 5)
    ran_after = _sent_after(outbox, user.email, started)
    if ran_after < countdown - 0.1:
        fail(f"The mail went out {ran_after:.2f} s after welcome_later, before the {countdown} s countdown.")


def test_welcome_at_runs_the_task_at_the_given_moment(worker, outbox):
    _task()
    welcome_at = load("accounts.tasks").welcome_at
    from django.utils import timezone

    user = _user("linus")
    delay = 0.6
    started = time.monotonic()
    result = _result(welcome_at(user.id, timezone.now() + timedelta(seconds=delay)), "welcome_at(user_id, when)")
    if time.monotonic() - started >= delay:
        fail("welcome_at waited for the moment itself: pass it to Celery (`eta=`) and return at once.")
    wait_result(result, worker, task=TASK, timeout=delay + 5)
    ran_after = _sent_after(outbox, user.email, started)
    if ran_after < delay - 0.1:
        fail(f"The mail went out {ran_after:.2f} s after welcome_at, before the ETA ({delay} s later).")


def _sent_after(outbox, address, started):
    """Seconds from `started` until the worker's mail file appeared (its mtime, on this machine's clock)."""
    outbox.wait_for(address)
    files = [p for p in outbox.folder.iterdir()]
    newest = max(p.stat().st_mtime for p in files)
    return newest - (time.time() - (time.monotonic() - started))
