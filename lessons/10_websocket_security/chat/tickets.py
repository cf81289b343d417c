"""Issuing one-time WebSocket tickets. Redeeming them is exercise 1 (ex01_ticket_auth.py)."""

import secrets

from django.utils import timezone

from .models import WsTicket


# --8<-- [start:issue]
async def issue_ticket(user) -> str:
    """A fresh, unguessable, single-use key for `user`."""
    key = secrets.token_urlsafe(32)
    await WsTicket.objects.acreate(key=key, user=user, created_at=timezone.now())
    return key
# --8<-- [end:issue]
