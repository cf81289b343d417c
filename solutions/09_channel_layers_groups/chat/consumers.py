"""ChatConsumer at /ws/chat/<room>/: everyone in a room sees every message sent to that room.

  client -> server  {"user": "ana", "text": "hello"}
  server -> client  {"type": "message", "user": "ana", "text": "hello"}   (to everyone in the room,
                                                                          the sender included)
The room's group is named f"chat_{room}", so other code (a view, a Celery task) can post to it with
  channel_layer.group_send("chat_lobby", {"type": "chat.message", "user": ..., "text": ...})
"""

# --8<-- [start:consumer]
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.room = self.scope["url_route"]["kwargs"]["room"]
        self.group = f"chat_{self.room}"
        # Join before accept: a message sent to the room right after the handshake can't miss us.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def receive_json(self, content, **kwargs):
        user = str(content.get("user") or "anonymous")[:50]
        text = str(content.get("text", ""))[:1000]
        # To the group, not to self: every member's consumer (in any process) gets a "chat.message"
        # event, and Channels calls its chat_message method ("." becomes "_").
        await self.channel_layer.group_send(self.group, {"type": "chat.message", "user": user, "text": text})

    async def chat_message(self, event):
        await self.send_json({"type": "message", "user": event["user"], "text": event["text"]})

    async def disconnect(self, code):
        # Without this the group keeps a dead channel until group_expiry (a day) and every
        # group_send keeps queueing messages for it.
        await self.channel_layer.group_discard(self.group, self.channel_name)
# --8<-- [end:consumer]
