"""PingConsumer: the smallest useful WebSocket endpoint, at /ws/ping/.

The protocol (JSON text frames):
  server -> client on connect   {"type": "welcome", "online": <connections open right now>}
  client -> server              {"type": "ping", "id": <anything>}
  server -> client              {"type": "pong", "id": <the same thing>}
  anything else from the client {"type": "error", "error": "..."}   and the connection stays open
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

# Channel names of the connections open in this process.
ONLINE: set[str] = set()


class PingConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        await self.accept()
        # TODO: remember this connection in ONLINE and tell the client how many are online.
        await self.send_json({"type": "welcome"})

    async def receive_json(self, content, **kwargs):
        # TODO: answer pings with pongs, and anything else with an error (without closing).
        await self.send_json(content)

    async def disconnect(self, code):
        pass  # TODO: this connection is gone; forget it.
