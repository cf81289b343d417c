"""Exercise 1: the charge task's retry policy."""

from celery import shared_task
from django.conf import settings

from . import charging
from .provider import ProviderTimeout, ProviderUnavailable

BACKOFF_MAX = settings.PAYMENTS_RETRY_BACKOFF_MAX


# --8<-- [start:charge]
@shared_task(
    bind=True,
    # Transient errors only. CardDeclined is not here: the bank would say no again, and a retry loop
    # against a declined card looks like fraud. It fails at once and goes to the dead-letter store.
    autoretry_for=(ProviderUnavailable, ProviderTimeout),
    retry_backoff=True,  # 1 s, 2 s, 4 s, ... between tries
    retry_backoff_max=BACKOFF_MAX,  # ... never more than this
    retry_jitter=True,  # a random wait up to that: retries of many tasks don't hit the provider together
    max_retries=5,  # then the task fails for good (and lands in the dead-letter store)
)
def charge(self, order_id: int) -> int:
    """Charge one order (exercise 2 makes it safe to run twice); return the charge id."""
    return charging.charge_order(order_id)
# --8<-- [end:charge]
