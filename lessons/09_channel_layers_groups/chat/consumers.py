"""ChatConsumer at /ws/chat/<room>/: everyone in a room sees every message sent to that room.

  client -> server  {"user": "ana", "text": "hello"}
  server -> client  {"type": "message", "user": "ana", "text": "hello"}   (to everyone in the room,
                                                                          the sender included)
The room's group is named f"chat_{room}", so other code (a view, a Celery task) can post to it with
  channel_layer.group_send("chat_lobby", {"type": "chat.message", "user": ..., "text": ...})
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{self.room}"
        # TODO: join the room's group.
        await self.accept()

    async def receive_json(self, content, **kwargs):
        user = str(content.get("user") or "anonymous")[:50]
        text = str(content.get("text", ""))[:1000]
        # TODO: this only reaches the sender. Send it to the whole room instead.
        await self.send_json({"type": "message", "user": user, "text": text})

    async def chat_message(self, event):
        await self.send_json({"type": "message", "user": event["user"], "text": event["text"]})

    async def disconnect(self, code):
        pass  # TODO
