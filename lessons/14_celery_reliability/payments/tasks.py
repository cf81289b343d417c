"""Exercise 1: the charge task's retry policy.

The blog post's decorator, as it was: it retries `TimeoutError` only, three times, right away (no
backoff: 3 minutes apart, Celery's default delay, or all at once when a countdown of 0 is asked for).
A payment provider that is down for a moment (ProviderUnavailable, a ConnectionError) fails the order
at once, and nothing spreads the retries of many tasks apart when the provider comes back.
"""

from celery import shared_task
from django.conf import settings

from . import charging
from .provider import CardDeclined, ProviderTimeout, ProviderUnavailable  # noqa: F401 - for your policy

# The longest wait between two tries, in seconds: 600 in production, 0 under the tests (a test can't
# wait minutes). Use it as your policy's `retry_backoff_max`.
BACKOFF_MAX = settings.PAYMENTS_RETRY_BACKOFF_MAX


# TODO: retry the provider's transient errors (unavailable, timeout) and nothing else: a declined card is
#       a business error. Wait exponentially longer between tries (capped at BACKOFF_MAX), with random
#       jitter so that a thousand tasks don't retry in the same second, and give up after 5 retries.
# --8<-- [start:seed]
@shared_task(bind=True, max_retries=3, autoretry_for=(TimeoutError,))
def charge(self, order_id: int) -> int:
    """Charge one order (exercise 2 makes it safe to run twice); return the charge id."""
    return charging.charge_order(order_id)
# --8<-- [end:seed]
