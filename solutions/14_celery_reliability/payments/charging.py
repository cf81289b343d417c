"""Exercise 2: charge an order exactly once, however many times its task is delivered."""

from django.db import IntegrityError, transaction

from . import provider
from .models import Order, PaymentRequest


# --8<-- [start:charge_order]
def charge_order(order_id: int) -> int:
    """Charge the order's amount through the provider, once; return the id of its charge."""
    # One transaction for the claim and the charge: if the worker dies in between, both roll back and
    # the redelivered message starts clean. (A claim kept elsewhere, e.g. Redis SET NX, would survive
    # the crash without its charge, and the order would never be charged.)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint, so the IntegrityError leaves the outer one usable
                # The claim: an INSERT on a unique column. The database lets exactly one delivery in;
                # a concurrent one waits for it, then fails here instead of charging again.
                claim = PaymentRequest.objects.create(order_id=order_id, status="DONE")
        except IntegrityError:
            return PaymentRequest.objects.get(order_id=order_id).charge_id
        order = Order.objects.get(pk=order_id)
        claim.charge_id = provider.charge(order_id, order.amount)
        claim.save(update_fields=["charge_id"])
    return claim.charge_id
# --8<-- [end:charge_order]
