"""Exercise 2: a charge is idempotent, even when two deliveries of it run at the same moment on two
worker processes (what at-least-once delivery does after a crash or a visibility timeout)."""

import pytest
from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result

pytestmark = pytest.mark.django_db(transaction=True)


def _charge():
    load("payments.charging")
    return load("payments.tasks").charge


def _overlapped(calls) -> bool:
    return len(calls) >= 2 and calls[1]["start"] < calls[0]["end"] and calls[0]["start"] < calls[1]["end"]


def test_two_deliveries_at_once_charge_exactly_once(worker, provider, orders, charges):
    charge = _charge()
    ids = orders(3)
    results = []
    for order in ids:  # the same message delivered twice, to the worker's two pool processes at once
        results += [charge.delay(order), charge.delay(order)]
    for result in results:
        wait_result(result, worker, timeout=8, task="payments.tasks.charge", propagate=False)
    failed = [r for r in results if r.failed()]
    if failed:
        fail(f"{len(failed)} of the {len(results)} deliveries failed: {failed[0].result!r}. The second delivery "
             "should see the claim and return the existing charge, not fail.")
    got = charges(ids)
    twice = {o: n for o, n in got.items() if n != 1}
    calls = provider.log()
    overlapping = sum(_overlapped([c for c in calls if c["order"] == o]) for o in ids)
    if twice:
        order, n = next(iter(twice.items()))
        fail(f"Order {order} was charged {n} times by two deliveries of one task that ran at the same moment. "
             "Both checked \"already DONE?\" before either had written DONE: check-then-act is a race. "
             "The claim has to be one atomic step that only one delivery can win.")
    assert sum(got.values()) == len(ids), f"expected {len(ids)} charges, got {got}"
    assert not overlapping, ("two provider calls for one order overlapped in time: the second delivery "
                             "should not call the provider at all")
    # A delivery after the others (one after another is what the seed's check already handled, so it
    # earns no points of its own: it is checked here, after the race).
    order, first = ids[0], results[0].result
    again = wait_result(charge.delay(order), worker, timeout=5, task="payments.tasks.charge")
    assert charges([order]) == {order: 1}, (
        f"a delivery after the first ones charged order {order} again ({charges([order])[order]} charges)")
    assert again == first, f"a later delivery should return the first charge's id ({first}), got {again!r}"
