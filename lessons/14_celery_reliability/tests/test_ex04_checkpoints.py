"""Exercise 4: the settlement batch resumes from its checkpoint: after its worker is killed, and after
its soft time limit, no item is posted twice and none is skipped."""

import os
import signal
from collections import Counter

import pytest
from awaitlings.testing import fail, load
from awaitlings.testing.celery import wait_result

pytestmark = pytest.mark.django_db(transaction=True)


def _settle():
    return load("ledger.tasks").settle


def _posted(batch_id) -> Counter:
    from ledger.models import LedgerEntry

    return Counter(LedgerEntry.objects.filter(batch_id=batch_id).values_list("item", flat=True))


def _describe(items) -> str:
    items = sorted(items)
    if not items:
        return "none"
    if items == list(range(items[0], items[-1] + 1)) and len(items) > 2:
        return f"{items[0]}–{items[-1]}"
    return ", ".join(map(str, items))


def _check_once(batch, why: str) -> None:
    posted = _posted(batch.id)
    twice = [i for i, n in posted.items() if n > 1]
    missing = [i for i in range(batch.size) if i not in posted]
    if twice:
        fail(f"{why}, items {_describe(twice)} were posted to the ledger twice ({len(twice)} of {batch.size}): "
             "the next delivery started over instead of at the checkpoint.")
    if missing:
        fail(f"{why}, items {_describe(missing)} were never posted: the checkpoint moved past items that "
             "never committed (save it in the same transaction as the item).")


def test_a_batch_without_trouble_posts_every_item_once(worker):
    from ledger.models import Batch

    batch = Batch.objects.create(size=6)
    got = wait_result(_settle().delay(batch.id), worker, timeout=5, task="ledger.tasks.settle")
    batch.refresh_from_db()
    assert got == 6, f"settle should return the batch size (6), got {got!r}"
    assert batch.done, "the batch should be marked done"
    _check_once(batch, "With no trouble at all")
    # The checkpoint is the exercise: a batch that posts every item but never records where it is
    # (the starter) would resume from item 0 after a crash.
    assert batch.checkpoint == batch.size, (
        f"the finished batch should have done=True and checkpoint={batch.size}, got done={batch.done}, "
        f"checkpoint={batch.checkpoint}")


def test_a_worker_killed_mid_batch_resumes_from_its_checkpoint(worker, wait_until):
    from ledger.models import Batch, LedgerEntry

    batch = Batch.objects.create(size=16)
    result = _settle().delay(batch.id)
    entry = wait_until(lambda: LedgerEntry.objects.filter(batch=batch, item__gte=5).first(), timeout=5)
    if entry is None:
        fail(f"The batch never reached item 5 (posted: {_describe(_posted(batch.id))}).")
    os.kill(entry.pid, signal.SIGKILL)  # the pool process running the batch dies at item ~6
    wait_result(result, worker, timeout=8, task="ledger.tasks.settle", propagate=False)
    batch.refresh_from_db()
    assert result.successful(), f"the redelivered batch should finish, got {result.state}: {result.result!r}"
    _check_once(batch, "After the worker was killed at item ~6")
    assert batch.done and batch.checkpoint == batch.size, (
        f"the finished batch should have done=True and checkpoint={batch.size}, got done={batch.done}, "
        f"checkpoint={batch.checkpoint}")


def test_the_soft_time_limit_hands_over_to_a_fresh_delivery(worker):
    from ledger.models import Batch

    batch = Batch.objects.create(size=12)  # 12 × 0.03 s: about three soft limits' worth
    result = _settle().apply_async(args=[batch.id], soft_time_limit=0.15, time_limit=5)
    wait_result(result, worker, timeout=8, task="ledger.tasks.settle", propagate=False)
    batch.refresh_from_db()
    if result.failed():
        fail(f"The batch failed with {result.result!r} after {len(_posted(batch.id))} of {batch.size} items. "
             "A long job meets its soft time limit: catch SoftTimeLimitExceeded, and let a fresh delivery "
             "continue from the checkpoint.")
    _check_once(batch, "Across the soft time limits")
    assert batch.done, "the batch should be marked done"
