"""Exercise 3: the notification socket, /ws/notify/ (the seed's NotifyConsumer, as it was published).

Every open page connects here. A logged-in user's socket joins the user's group, so that a worker can
reach all of that user's tabs, on any server, with `notify_user(user_id, payload)` (realtime/bridge.py),
which sends {"type": "notify", "data": payload} to the group `user_group(user_id)`.

Expected:
- a visitor who isn't logged in gets no notification socket (refuse it, or close it with 4401);
- a logged-in user's socket joins their group, receives every `notify` event's data as JSON,
  and leaves the group when it disconnects;
- nobody receives another user's notifications.

Run the tests: the code below is the blog post's, and it doesn't work with Channels 4.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer


class NotifyConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        if self.scope["user"].is_anonymous:
            await self.close()
            return
        # TODO: Channels 4 refuses this group name. Which group does notify_user send to?
        self.group = f"user:{self.scope['user'].pk}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        # TODO: a refused visitor never got a group: don't crash here.
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notify(self, event):
        await self.send_json(event["data"])
