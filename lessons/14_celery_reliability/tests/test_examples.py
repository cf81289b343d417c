"""Tests of the lesson's course-owned parts (run by `awaitlings verify` and CI, not by a learner's check):
the crash drill with whole workers killed and restarted, the visibility timeout and the dead-letter tool. They run on the files under test (the reference in verify)."""

import io

import pytest
from awaitlings.testing import fail
from awaitlings.testing.celery import wait_result

pytestmark = pytest.mark.django_db(transaction=True)

CRASH_ENV = {"CELERY_VISIBILITY_TIMEOUT": "1", "PROVIDER_LATENCY": "0.1"}


def test_the_drill_kills_workers_three_times_and_every_order_is_charged_exactly_once(celery_workers, provider):
    """The headline: 50 charges on 2 worker processes; 3 times a worker is SIGKILLed mid-charge and
    restarted. None is lost, none is charged twice."""
    import chaos

    result = chaos.drill(lambda name: celery_workers.start(queues=[chaos.QUEUE], name=name, env=CRASH_ENV),
                         orders=50, kills=3, timeout=45)
    print(result.summary())
    assert result.kills >= 3, f"the drill killed a worker only {result.kills} times"
    assert not result.lost, f"{len(result.lost)} orders were never charged: {result.summary()}"
    assert not result.charged_twice, f"{len(result.charged_twice)} orders were charged twice: {result.summary()}"
    assert result.charged_once == 50, result.summary()


def test_a_killed_worker_s_task_comes_back_after_the_visibility_timeout(
        celery_workers, provider, orders, charges, wait_until):
    from payments.tasks import charge

    env = {"CELERY_VISIBILITY_TIMEOUT": "1", "PROVIDER_LATENCY": "0.3"}
    doomed = celery_workers.start(queues=["crash"], name="doomed", env=env)
    (order,) = orders(1)
    result = charge.apply_async(args=[order], queue="crash")
    if not wait_until(lambda: order in provider.inflight().values(), timeout=5):
        fail(f"The worker never started charging order {order}.\n{doomed.output()[-2000:]}")
    doomed.kill()  # the whole worker (main process and pool), mid-charge: no goodbye, no ack
    provider.store().delete("provider:inflight")
    doomed.start().wait_ready()  # back up; the message is unacked and comes back once 1 s has passed
    if not wait_until(result.ready, timeout=6):
        fail(f"Order {order}'s task was running when its worker was killed; it should have come back after "
             "the 1 s visibility timeout and run again on the restarted worker, but it didn't within 6 s.")
    assert result.successful(), f"the redelivered charge should succeed, got {result.state}: {result.result!r}"
    assert charges([order]) == {order: 1}, f"expected exactly one charge, got {charges([order])[order]}"


def test_the_deadletters_command_lists_and_reruns_a_failed_charge(worker, provider, orders, charges, wait_until):
    from django.core.management import call_command

    from payments.models import DeadLetter
    from payments.tasks import charge

    (order,) = orders(1)
    provider.script(order, "declined")
    result = charge.delay(order)
    wait_result(result, worker, timeout=5, task="payments.tasks.charge", propagate=False)
    letter = wait_until(lambda: DeadLetter.objects.filter(task_id=result.id).first(), timeout=2)
    assert letter is not None and "CardDeclined" in letter.error, "the declined charge should be a dead letter"
    out = io.StringIO()
    call_command("deadletters", "list", stdout=out)
    assert f"payments.tasks.charge({order},)" in out.getvalue(), out.getvalue()
    provider.reset()  # the customer updated their card
    out = io.StringIO()
    call_command("deadletters", "retry", str(letter.id), stdout=out)
    letter.refresh_from_db()
    assert letter.requeued_as, out.getvalue()
    from celery.result import AsyncResult

    wait_result(AsyncResult(letter.requeued_as), worker, timeout=5, task="payments.tasks.charge")
    assert charges([order]) == {order: 1}
    out = io.StringIO()
    call_command("deadletters", "list", stdout=out)
    assert "0 dead letter(s)" in out.getvalue(), out.getvalue()
