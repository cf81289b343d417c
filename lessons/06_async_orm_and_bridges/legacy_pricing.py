"""A vendor's pricing SDK. It is synchronous only: every call blocks its thread on the network.

Think `requests`, boto3 or a payment provider's client: you cannot make it async, you can only run it
in a thread. It keeps no shared state (a fresh connection per call), so it is safe to call from
several threads at once, and it never touches Django's database."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.request import urlopen

from django.conf import settings


def quote(isbn: str) -> Decimal:
    """The vendor's current price for `isbn`. Blocks for one network round trip."""
    with urlopen(f"{settings.PRICING_URL}/price/{isbn}", timeout=5) as response:
        return Decimal(json.load(response)["price"])
