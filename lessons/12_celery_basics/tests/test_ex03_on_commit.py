"""Exercise 3: the welcome mail is sent once the sign-up transaction has committed, and never when it
rolls back. The worker is a real process: it only ever sees committed rows."""

import time

import pytest
from awaitlings.testing import fail, load

pytestmark = pytest.mark.django_db(transaction=True)
TASK = "accounts.tasks.send_welcome_mail"


def _sign_up():
    tasks = load("accounts.tasks")
    if not hasattr(tasks.send_welcome_mail, "delay"):
        fail("send_welcome_mail must be a Celery task first (exercise 2).")
    return load("accounts.services").sign_up


def test_the_task_is_sent_after_the_transaction_commits(worker, sent_mail, published_tasks):
    sign_up = _sign_up()
    user = sign_up("margaret", "margaret@example.com")
    sent = published_tasks.of(TASK)
    if not sent:
        fail("sign_up committed, but no send_welcome_mail task was sent.")
    if sent[0]["in_transaction"]:
        from celery.result import AsyncResult

        outcome = AsyncResult(sent[0]["id"])
        outcome.get(timeout=5, propagate=False)
        what = (f"the worker ran it first and got {type(outcome.result).__name__} ({str(outcome.result).rstrip('.')})"
                if outcome.failed() else "a fast worker looks for the user before it exists")
        fail("sign_up sent the task while its transaction was still open (the billing call takes 0.15 s), "
             f"so {what}. Send it on commit.")
    assert len(sent) == 1, f"expected one task, sign_up sent {len(sent)}"
    message = sent_mail.wait_for(user.email)
    assert "margaret" in (message.get("Subject") or ""), f"unexpected subject {message.get('Subject')!r}"


def test_nothing_is_sent_when_the_sign_up_rolls_back(worker, sent_mail, published_tasks):
    sign_up = _sign_up()
    from django.contrib.auth import get_user_model

    with pytest.raises(ValueError):
        sign_up("barbara", "barbara@example.com", plan="platinum")  # an unknown plan: the workspace fails
    assert not get_user_model().objects.filter(username="barbara").exists(), "the sign-up should have rolled back"
    if published_tasks.of(TASK):
        fail("sign_up rolled back (unknown plan), but the welcome mail task had already been sent: a mail "
             "for an account that doesn't exist. Send it only on commit.")
    time.sleep(0.1)
    assert not sent_mail.to("barbara@example.com"), "a welcome mail went out for a sign-up that rolled back"
