"""Exercise 1: log a browser's WebSocket in with a one-time ticket.

A browser cannot set an `Authorization` header on `new WebSocket(url)`, so the page first POSTs to
/api/ws-ticket/ (with its session and CSRF token) and opens `ws://.../ws/chat/lobby/?ticket=KEY`.
This middleware turns that ticket into `scope["user"]`.

A ticket is good for ONE connection within settings.WS_TICKET_TTL seconds of chat.models.WsTicket
`created_at`, and only for an active user. Anything else leaves the connection anonymous, and the
consumer closes it with 4401."""

from urllib.parse import parse_qs

from channels.middleware import BaseMiddleware
from django.contrib.auth.models import AnonymousUser

from chat.models import WsTicket


class TicketAuthMiddleware(BaseMiddleware):
    async def __call__(self, scope, receive, send):
        query = parse_qs(scope.get("query_string", b"").decode())
        key = query.get("ticket", [None])[0]
        if key is None:
            # No ticket: keep whatever user an outer middleware (the session) found.
            scope = dict(scope, user=scope.get("user") or AnonymousUser())
            return await super().__call__(scope, receive, send)

        # --8<-- [start:starter]
        # TODO: this is the sync ORM inside `async def`: Django refuses it (SynchronousOnlyOperation).
        # TODO: a ticket must work only once, only before it expires, and only for an active user.
        ticket = WsTicket.objects.select_related("user").get(key=key)
        scope = dict(scope, user=ticket.user)
        # --8<-- [end:starter]
        return await super().__call__(scope, receive, send)
