"""Exercise 1: log a browser's WebSocket in with a one-time ticket.

A browser cannot set an `Authorization` header on `new WebSocket(url)`, so the page first POSTs to
/api/ws-ticket/ (with its session and CSRF token) and opens `ws://.../ws/chat/lobby/?ticket=KEY`.
This middleware turns that ticket into `scope["user"]`.

A ticket is good for ONE connection within settings.WS_TICKET_TTL seconds of chat.models.WsTicket
`created_at`, and only for an active user. Anything else leaves the connection anonymous, and the
consumer closes it with 4401."""

from datetime import timedelta
from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from chat.models import WsTicket


# --8<-- [start:redeem]
async def redeem(key: str):
    """The ticket's user if `key` is fresh, unused and belongs to an active user; else None."""
    now = timezone.now()
    oldest = now - timedelta(seconds=settings.WS_TICKET_TTL)
    # One UPDATE both checks and spends the ticket: two connections racing with the same key
    # cannot both see "unused" (a get() followed by save() would let both in).
    spent = await WsTicket.objects.filter(key=key, used_at__isnull=True, created_at__gte=oldest).aupdate(used_at=now)
    if not spent:
        return None
    # The async ORM runs the query in Django's thread, off the event loop.
    ticket = await WsTicket.objects.select_related("user").aget(key=key)
    return ticket.user if ticket.user.is_active else None
# --8<-- [end:redeem]


# --8<-- [start:middleware]
class TicketAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        key = query.get("ticket", [None])[0]
        if key is None:
            # No ticket: keep whatever user an outer middleware (the session) found.
            scope = dict(scope, user=scope.get("user") or AnonymousUser())
            return await super().__call__(scope, receive, send)

        user = await redeem(key)
        # A bad ticket means anonymous, never "the session user": the client asked for the ticket's identity.
        scope = dict(scope, user=user or AnonymousUser())
        return await super().__call__(scope, receive, send)
# --8<-- [end:middleware]
