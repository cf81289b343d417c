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


def test_the_worker_sends_the_welcome_mail_for_a_user_id(worker, sent_mail):
    task = _task()
    worker.expect_registered(TASK)
    user = _user("grace")
    result = task.delay(user.id)
    result.get(timeout=5, propagate=False)
    if result.failed():
        fail(f"The worker ran send_welcome_mail({user.id}) and it raised {result.result!r}. The task gets "
             "the user's id (a number, from JSON): load the user from it inside the task.")
    got = wait_result(result, worker, task=TASK)
    message = sent_mail.wait_for(user.email)
    assert "Welcome, grace!" in (message.get("Subject") or ""), \
        f"the subject should be 'Welcome, grace!', got {message.get('Subject')!r}"
    assert got == user.email, f"the task should return the address it wrote to ({user.email}), got {got!r}"


def test_welcome_later_and_welcome_at_return_at_once_and_the_worker_sends_on_time(worker, sent_mail):
    _task()
    tasks = load("accounts.tasks")
    from django.utils import timezone

    later, at = _user("ada"), _user("linus")
    wait = 0.25  # both are sent at once; the worker holds each message until its moment
    started = time.monotonic()
    by_countdown = _result(tasks.welcome_later(later.id, wait), "welcome_later(user_id, seconds)")
    if time.monotonic() - started >= wait:
        fail(f"welcome_later took {time.monotonic() - started:.2f} s to return: the caller waited out the "
             "countdown itself. Let the worker wait (`countdown=`).")
    by_eta = _result(tasks.welcome_at(at.id, timezone.now() + timedelta(seconds=wait)), "welcome_at(user_id, when)")
    if time.monotonic() - started >= wait:
        fail("welcome_at waited for the moment itself: pass it to Celery (`eta=`) and return at once.")
    if sent_mail.to(later.email) or sent_mail.to(at.email):
        fail("A mail was already sent when the calls returned: the countdown or the ETA was ignored.")
    for result, user, what in ((by_countdown, later, "countdown"), (by_eta, at, "ETA")):
        wait_result(result, worker, task=TASK, timeout=wait + 5)
        ran_after = _sent_after(sent_mail, user.email, started)
        if ran_after < wait - 0.1:
            fail(f"The mail went out {ran_after:.2f} s after the call, before the {wait} s {what}.")


def _sent_after(sent_mail, address, started):
    """Seconds from `started` until the worker's mail file appeared (its mtime, on this machine's clock)."""
    sent_mail.wait_for(address)
    return sent_mail.sent_at(address) - (time.time() - (time.monotonic() - started))
