"""Exercise 4: the nightly settlement, a long batch job that survives a crash and its time limit.

Right now it starts at item 0 on every delivery. When the worker dies at item 800 of 1,000 (or the soft
time limit interrupts it), the redelivered message posts items 0–799 a second time.
"""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded  # noqa: F401 - for your time-limit handling

from .models import Batch
from .work import post_item


# acks_late and reject_on_worker_lost: a delivery that dies mid-batch comes back (exercise 3 explains).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def settle(self, batch_id: int) -> int:
    """Post every item of the batch to the ledger, once; mark the batch done; return its size."""
    batch = Batch.objects.get(pk=batch_id)
    # TODO: resume from batch.checkpoint, and move the checkpoint on after each item, in one transaction
    #       with that item's posting (so a crash can't separate the two).
    # TODO: when the soft time limit interrupts the loop, continue in a fresh delivery of this task
    #       (the checkpoint says where) instead of failing.
    # --8<-- [start:starter]
    for item in range(batch.size):
        post_item(batch, item)
    # --8<-- [end:starter]
    Batch.objects.filter(pk=batch_id).update(done=True)
    return batch.size
