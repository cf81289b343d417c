"""PingConsumer: the smallest useful WebSocket endpoint, at /ws/ping/.

The protocol (JSON text frames):
  server -> client on connect   {"type": "welcome", "online": <connections open right now>}
  client -> server              {"type": "ping", "id": <anything>}
  server -> client              {"type": "pong", "id": <the same thing>}
  anything else from the client {"type": "error", "error": "..."}   and the connection stays open
"""

# --8<-- [start:consumer]
from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Channel names of the connections open in this process.
ONLINE: set[str] = set()


class PingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        # channel_name is unique per connection (the layer hands it out), so it keys the set.
        ONLINE.add(self.channel_name)
        await self.send_json({"type": "welcome", "online": len(ONLINE)})

    async def receive_json(self, content, **kwargs):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ping":
            # Echo the id back untouched: the client matches replies to requests with it.
            await self.send_json({"type": "pong", "id": content.get("id")})
        else:
            # A bad message is the client's problem, not a reason to drop the connection.
            await self.send_json({"type": "error", "error": f"unknown message type {kind!r}"})

    async def disconnect(self, code):
        # discard, not remove: disconnect also runs after a refused handshake.
        ONLINE.discard(self.channel_name)
# --8<-- [end:consumer]
