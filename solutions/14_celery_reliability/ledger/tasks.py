"""Exercise 4: the nightly settlement, a long batch job that survives a crash and its time limit."""

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction

from .models import Batch
from .work import post_item


# --8<-- [start:settle]
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def settle(self, batch_id: int) -> int:
    """Post every item of the batch to the ledger, once; mark the batch done; return its size."""
    # The soft limit can fire anywhere in here (between items, while marking the batch done), so the
    # whole body is inside the try.
    try:
        batch = Batch.objects.get(pk=batch_id)
        # Start where the last delivery stopped, not at 0.
        for item in range(batch.checkpoint, batch.size):
            # The item and the checkpoint commit together: a crash loses at most the item in flight,
            # which rolls back and runs again. Never posted twice, never skipped.
            with transaction.atomic():
                post_item(batch, item)
                Batch.objects.filter(pk=batch_id).update(checkpoint=item + 1)
        Batch.objects.filter(pk=batch_id).update(done=True)
    except SoftTimeLimitExceeded:
        # The soft limit interrupted the work (an item's transaction rolled back). Hand over to a fresh
        # delivery, which resumes from the checkpoint with a fresh time limit.
        raise self.retry(countdown=0, max_retries=None)
    return batch.size
# --8<-- [end:settle]
