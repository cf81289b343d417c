"""WebSocket routes. The notification consumer is exercise 3: it is imported on the first connection,
so a broken exercise file breaks /ws/notify/ only, never the chat or the page."""

import importlib

from django.urls import path

from chat.consumers import ChatConsumer


class LazyConsumer:
    """An ASGI app that imports `module.name` (a consumer class) when the first connection arrives."""

    def __init__(self, module: str, name: str) -> None:
        self.module, self.name, self.app = module, name, None

    async def __call__(self, scope, receive, send):
        if self.app is None:
            self.app = getattr(importlib.import_module(self.module), self.name).as_asgi()
        return await self.app(scope, receive, send)


# --8<-- [start:routes]
websocket_urlpatterns = [
    path("ws/notify/", LazyConsumer("ex03_notify_consumer", "NotifyConsumer")),
    path("ws/chat/<slug:room>/", ChatConsumer.as_asgi()),
]
# --8<-- [end:routes]
