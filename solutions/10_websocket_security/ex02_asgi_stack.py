"""Exercise 2: the middleware stack every WebSocket connection passes through.

project/asgi.py calls `websocket_app(TicketAuthMiddleware(URLRouter(...)))`. The page that opens a
socket may be on ANY site: a browser sends your session cookie along with a WebSocket handshake
started by a page on evil.example (cookies are not bound to the page that makes the request)."""

from channels.auth import AuthMiddlewareStack
from channels.security.websocket import AllowedHostsOriginValidator


# --8<-- [start:solution]
def websocket_app(inner):
    # Outermost, so a foreign Origin is refused before the session is even read. WebSockets are
    # not covered by CORS or Django's CSRF check: without this, any site can open a socket as the
    # visitor (cross-site WebSocket hijacking). A missing Origin is refused too.
    return AllowedHostsOriginValidator(AuthMiddlewareStack(inner))
# --8<-- [end:solution]
