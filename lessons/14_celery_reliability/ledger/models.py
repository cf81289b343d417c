"""The nightly settlement: a batch of items, each posted to the accounting ledger once. Course-owned."""

from django.db import models


class Batch(models.Model):
    size = models.PositiveIntegerField()
    checkpoint = models.PositiveIntegerField(default=0, help_text="the first item not yet posted")
    done = models.BooleanField(default=False)


class LedgerEntry(models.Model):
    """One posting of one item. No unique constraint on purpose: posting an item twice is the bug the
    tests look for (an accountant would find it at the end of the month)."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="entries")
    item = models.PositiveIntegerField()
    pid = models.IntegerField()
    created = models.DateTimeField(auto_now_add=True)
