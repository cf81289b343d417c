"""ASGI entry point of the lesson project: what daphne or uvicorn serves.

Right now every connection goes to Django's own ASGI handler, which speaks HTTP only: a WebSocket
handshake to /ws/ping/ fails ("Django can only handle ASGI/HTTP connections, not websocket").
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

# TODO: keep Django for "http", and send "websocket" connections through a URLRouter over
#       realtime.routing.websocket_urlpatterns, with channels.routing.ProtocolTypeRouter.
application = get_asgi_application()
