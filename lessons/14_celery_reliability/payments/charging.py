"""Exercise 2: charge an order exactly once, however many times its task is delivered.

This is the blog post's idempotency check: "already DONE? then stop", then charge. It looks safe, and
it is, as long as deliveries come one after the other. Under at-least-once delivery they don't: a
redelivered message can run while the first delivery is still charging, and both pass the check.
"""

from . import provider
from .models import Order, PaymentRequest


def charge_order(order_id: int) -> int:
    """Charge the order's amount through the provider, once; return the id of its charge."""
    # TODO: the check and the act must be one atomic step: claim the order (its PaymentRequest row is
    #       unique per order) *before* calling the provider, in the same database transaction as the
    #       charge, and stop when another delivery holds the claim.
    # --8<-- [start:seed]
    done = PaymentRequest.objects.filter(order_id=order_id, status="DONE").first()
    if done is not None:  # 이미 처리했는지 검사 (the seed's check)
        return done.charge_id
    order = Order.objects.get(pk=order_id)
    charge_id = provider.charge(order_id, order.amount)
    PaymentRequest.objects.update_or_create(order_id=order_id, defaults={"status": "DONE", "charge_id": charge_id})
    return charge_id
    # --8<-- [end:seed]
