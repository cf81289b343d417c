"""QuoteConsumer at /ws/quotes/: looks up prices in a slow upstream service.

  client -> server  {"type": "quote", "symbol": "ACME", "id": 7}
  server -> client  {"type": "quote", "symbol": "ACME", "price": 123.45, "id": 7}
"""

# --8<-- [start:quotes]
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from . import upstream


# Async: every handler of a sync consumer runs on ONE shared thread per process, so one slow
# lookup made every other connection wait. Here a wait only pauses this connection's coroutine.
class QuoteConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()

    async def receive_json(self, content, **kwargs):
        symbol = str(content.get("symbol", ""))
        # The async client: awaiting it gives the event loop back to the other connections.
        price = await upstream.fetch_quote(symbol)
        await self.send_json({"type": "quote", "symbol": symbol, "price": price, "id": content.get("id")})
# --8<-- [end:quotes]
