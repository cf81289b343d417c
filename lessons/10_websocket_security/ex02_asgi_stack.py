"""Exercise 2: the middleware stack every WebSocket connection passes through.

project/asgi.py calls `websocket_app(TicketAuthMiddleware(URLRouter(...)))`. The page that opens a
socket may be on ANY site: a browser sends your session cookie along with a WebSocket handshake
started by a page on evil.example (cookies are not bound to the page that makes the request)."""

from channels.auth import AuthMiddlewareStack


# --8<-- [start:starter]
def websocket_app(inner):
    # TODO: a page from another site can open this socket and ride on the visitor's session.
    return AuthMiddlewareStack(inner)
# --8<-- [end:starter]
