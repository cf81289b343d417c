"""Exercise 1: the charge task retries transient provider errors (with backoff and jitter, a bounded
number of times) and never a declined card. Every behaviour is checked on a real worker process."""

import pytest
from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result

pytestmark = pytest.mark.django_db(transaction=True)


def _charge():
    task = getattr(load("payments.tasks"), "charge", None)
    if task is None or not hasattr(task, "delay"):
        fail("payments/tasks.py should define the Celery task `charge(self, order_id)` (`@shared_task(bind=True, ...)`).")
    return task


def _retried(task) -> tuple:
    return tuple(getattr(task, "autoretry_for", ()) or ())


def _transient_errors_are_retried(task) -> tuple:
    from payments.provider import ProviderTimeout, ProviderUnavailable

    retried = _retried(task)
    for error in (ProviderUnavailable, ProviderTimeout):
        if not issubclass(error, retried):
            fail(f"A {error.__name__} from the provider is transient (it may work a second later), but the "
                 f"task's autoretry_for {retried!r} doesn't cover it.")
    return retried


def test_the_policy_retries_transient_errors_with_backoff_and_jitter():
    from payments.provider import CardDeclined, ProviderTimeout, ProviderUnavailable

    task = _charge()
    retried = _transient_errors_are_retried(task)
    if issubclass(CardDeclined, retried):
        fail(f"autoretry_for {retried!r} also catches CardDeclined, a business error: the bank would say no "
             "again. Retry only the transient errors.")
    if not getattr(task, "retry_backoff", False):
        fail("Without retry_backoff the retries come at fixed intervals (or at once): a provider that is "
             "struggling gets hammered. Turn on exponential backoff.")
    if getattr(task, "retry_jitter", True) is False:
        fail("retry_jitter is off: a thousand tasks that failed together would retry together.")
    settings_max = load("payments.tasks").BACKOFF_MAX
    if getattr(task, "retry_backoff_max", 600) != settings_max:
        fail(f"retry_backoff_max should be BACKOFF_MAX ({settings_max} s here), but it is "
             f"{getattr(task, 'retry_backoff_max', 600)!r}.")
    if task.max_retries != 5:
        fail(f"The task should give up after 5 retries, but max_retries is {task.max_retries!r}.")


def test_two_outages_then_success_charges_once(worker, provider, orders, charges):
    charge = _charge()
    (order,) = orders(1)
    provider.script(order, "unavailable", "timeout")
    result = charge.delay(order)
    got = wait_result(result, worker, timeout=5, task="payments.tasks.charge", propagate=False)
    calls = provider.calls(order)
    if result.failed():
        fail(f"The provider was unavailable, then timed out, and would have charged on the 3rd call; the task "
             f"gave up after {calls} call(s) with {got!r}. Transient errors deserve another try.")
    assert calls == 3, f"expected 3 provider calls (2 transient failures, then the charge), got {calls}"
    assert charges([order]) == {order: 1}, f"expected exactly one charge, got {charges([order])[order]}"


def test_a_declined_card_is_not_retried(worker, provider, orders, charges, wait_until):
    from payments.models import DeadLetter

    charge = _charge()
    # Precondition: a task that retries nothing passes this test by accident; it counts once the
    # transient errors are retried (checked on the task's options, before anything is sent).
    _transient_errors_are_retried(charge)
    (order,) = orders(1)
    provider.script(order, "declined")
    result = charge.delay(order)
    wait_result(result, worker, timeout=5, task="payments.tasks.charge", propagate=False)
    calls = provider.calls(order)
    if calls > 1:
        fail(f"The bank declined the card and the task asked {calls} times. A declined card is a business "
             "error: it gets the same answer every time (and many banks treat repeated attempts as fraud). "
             "Don't retry it.")
    assert result.failed(), f"a declined card should fail the task, but its state is {result.state}"
    assert "CardDeclined" in repr(result.result), f"the task should fail with CardDeclined, got {result.result!r}"
    assert charges([order]) == {order: 0}, "a declined card was charged?"
    # The worker writes the dead letter just after it stores the result.
    letters = wait_until(lambda: list(DeadLetter.objects.filter(task_id=result.id)), timeout=2)
    assert len(letters) == 1, f"the failed task should be in the dead-letter store once, found {len(letters)}"


def test_a_provider_that_stays_down_gives_up_after_the_last_retry(worker, provider, orders, charges):
    charge = _charge()
    (order,) = orders(1)
    provider.script(order, *["unavailable"] * 12)
    result = charge.delay(order)
    wait_result(result, worker, timeout=5, task="payments.tasks.charge", propagate=False)
    calls = provider.calls(order)
    want = (charge.max_retries or 0) + 1
    assert result.failed(), f"the provider never answered, so the task should fail in the end; its state is {result.state}"
    assert "ProviderUnavailable" in repr(result.result), f"it should fail with the last error, got {result.result!r}"
    assert calls == want, f"expected {want} calls (1 + max_retries={charge.max_retries}), the provider saw {calls}"
