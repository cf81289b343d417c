"""ASGI entry point: Django for HTTP, the secured stack for WebSockets."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
# Before any import that touches models: it sets Django up.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from ex01_ticket_auth import TicketAuthMiddleware  # noqa: E402
from ex02_asgi_stack import websocket_app  # noqa: E402

# --8<-- [start:application]
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Origin check, then the session cookie, then a ticket (which wins when present).
        "websocket": websocket_app(TicketAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
# --8<-- [end:application]
