"""Lesson 14 fixtures: the run's worker once the project can carry tasks, a clean payment provider, and
orders to charge. Workers and Redis come from awaitlings (`celery_worker`, `celery_workers`)."""

from __future__ import annotations

import os
import time

import pytest
from awaitlings.testing import fail

# Worker processes inherit these (they are started after this module is imported): retries don't wait
# (exercise 1's backoff ceiling), a provider call takes 30 ms, and unacknowledged messages are looked for every second.
os.environ["PAYMENTS_RETRY_BACKOFF_MAX"] = "0"
os.environ["PROVIDER_LATENCY"] = "0.03"
os.environ["CELERY_UNACKED_RESTORE_INTERVAL"] = "1"
# A SIGKILLed pool process is noticed within 0.1 s instead of up to 5 s (see config/celery.py).
os.environ["LESSON_POOL_MAINTENANCE_INTERVAL"] = "0.1"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Name `celery_worker` on the tests that ask for `worker`, so that awaitlings starts the run's worker
    while pytest still sets up (its boot overlaps collection and the first tests instead of delaying the
    first test that needs it). `worker` still checks that the tasks import before it waits for it."""
    for item in items:
        if "worker" in item.fixturenames and "celery_worker" not in item.fixturenames:
            item.fixturenames.append("celery_worker")


@pytest.fixture
def worker(request):
    """The run's real worker process (2 pool processes), with the charge and settle tasks registered."""
    try:
        from payments import tasks  # noqa: F401
        from ledger import tasks as ledger_tasks  # noqa: F401
    except Exception as error:  # noqa: BLE001
        fail(f"The project's tasks can't be imported: {type(error).__name__}: {error}")
    w = request.getfixturevalue("celery_worker")
    w.expect_registered("payments.tasks.charge", "ledger.tasks.settle")
    return w


@pytest.fixture
def provider(redis_url):
    from payments import provider as module

    module.reset()
    yield module
    module.reset()


@pytest.fixture
def orders():
    """make(n) → ids of n new orders of 1,000–9,000 won."""
    from payments.models import Order

    def make(n: int = 1) -> list[int]:
        return [Order.objects.create(amount=1000 * (i % 9 + 1)).id for i in range(n)]

    return make


def charges_per_order(ids) -> dict[int, int]:
    from django.db.models import Count

    from payments.models import Charge

    got = dict(Charge.objects.filter(order_id__in=list(ids)).values_list("order_id").annotate(n=Count("id")))
    return {i: got.get(i, 0) for i in ids}


@pytest.fixture
def charges():
    return charges_per_order


@pytest.fixture
def wait_until():
    def wait(predicate, timeout: float, interval: float = 0.01):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        return predicate()

    return wait
