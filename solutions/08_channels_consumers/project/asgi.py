"""ASGI entry point of the lesson project: what daphne or uvicorn serves."""

# --8<-- [start:asgi]
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

# Set Django up (settings, app registry) before importing consumers: they may import models.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.routing import websocket_urlpatterns  # noqa: E402

# The scope's "type" picks the branch: Django keeps HTTP, Channels' router takes WebSockets.
application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": URLRouter(websocket_urlpatterns),
    }
)
# --8<-- [end:asgi]
