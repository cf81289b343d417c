"""WebSocket URL patterns: the `urls.py` of the `websocket` side."""

from django.urls import path

from . import consumers, quotes

websocket_urlpatterns = [
    # TODO: this fails on the first connection. And /ws/quotes/ should reach quotes.QuoteConsumer.
    path("ws/ping/", consumers.PingConsumer),
]
