"""A price ticker: the simplest consumer with a burst problem, used by exercise 2's tests and bench.py.

Every update for every symbol is a group message; a client only ever needs the latest price of each."""

import asyncio

from channels.generic.websocket import AsyncJsonWebsocketConsumer

GROUP = "ticker"


class NaiveTickerConsumer(AsyncJsonWebsocketConsumer):
    """Sends each update from the handler: while the socket is slow, the layer queue fills up."""

    async def connect(self):
        await self.accept()
        await self.channel_layer.group_add(GROUP, self.channel_name)

    async def disconnect(self, code):
        await self.channel_layer.group_discard(GROUP, self.channel_name)

    async def price_update(self, event):
        await self.send_json({"type": "price", "symbol": event["symbol"], "price": event["price"]})


class TickerConsumer(NaiveTickerConsumer):
    """Handlers only offer() to the Outbox (ex02); its writer task does the slow sending."""

    async def connect(self):
        from ex02_outbox import Outbox

        self.outbox = Outbox(self.send_json, maxsize=20)
        await super().connect()
        self.writer = asyncio.create_task(self.outbox.run())

    async def disconnect(self, code):
        await super().disconnect(code)
        if hasattr(self, "writer"):
            await self.outbox.close(timeout=0.2)
            self.writer.cancel()

    async def price_update(self, event):
        self.outbox.offer({"type": "price", "symbol": event["symbol"], "price": event["price"]}, key=event["symbol"])
