"""The shop's orders and payments, the provider's ledger of charges, and the dead-letter store.
Course-owned."""

from django.db import models


class Order(models.Model):
    amount = models.PositiveIntegerField(help_text="in won")
    created = models.DateTimeField(auto_now_add=True)


class PaymentRequest(models.Model):
    """Our record that an order has been paid (the seed's model). One per order at most."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="payment")
    status = models.CharField(max_length=10, default="DONE")
    charge_id = models.BigIntegerField(null=True)


class Charge(models.Model):
    """The payment provider's side: one row per time a card was charged. In a real shop this is another
    company's database; here it lives in ours so that tests can count real charges across processes.
    There is deliberately no unique constraint: the provider charges every call it receives."""

    order_id = models.BigIntegerField(db_index=True)
    amount = models.PositiveIntegerField()
    pid = models.IntegerField(help_text="the worker process that made the call")
    created = models.DateTimeField(auto_now_add=True)


class DeadLetter(models.Model):
    """A task that failed for good (a business error, or retries used up): kept so that a person can
    look at it and run it again (`python manage.py deadletters`)."""

    task = models.CharField(max_length=200)
    task_id = models.CharField(max_length=64)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    error = models.TextField()
    failed_at = models.DateTimeField(auto_now_add=True)
    requeued_at = models.DateTimeField(null=True)
    requeued_as = models.CharField(max_length=64, blank=True)
