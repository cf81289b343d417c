"""One item of the settlement (course-owned): `post_item` takes LEDGER_ITEM_SECONDS and writes one
ledger entry. Call it inside your transaction: if the process dies mid-item, the entry rolls back."""

import os
import time

from django.conf import settings

from .models import Batch, LedgerEntry


def post_item(batch: Batch, item: int) -> None:
    time.sleep(settings.LEDGER_ITEM_SECONDS)  # the accounting system's API
    LedgerEntry.objects.create(batch=batch, item=item, pid=os.getpid())
