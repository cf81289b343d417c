"""WebSocket URL patterns: the `urls.py` of the `websocket` side."""

# --8<-- [start:routing]
from django.urls import path

from . import consumers, quotes

websocket_urlpatterns = [
    # as_asgi() builds one consumer instance per connection (Channels 3+); the bare class is not an app.
    path("ws/ping/", consumers.PingConsumer.as_asgi()),
    path("ws/quotes/", quotes.QuoteConsumer.as_asgi()),
]
# --8<-- [end:routing]
