from django.urls import path

from .consumers import ChatConsumer, WhoAmIConsumer

websocket_urlpatterns = [
    # <slug:...>: the room name becomes part of a group name, which allows only [a-zA-Z0-9-_.].
    path("ws/chat/<slug:room>/", ChatConsumer.as_asgi()),
    path("ws/whoami/", WhoAmIConsumer.as_asgi()),
]
