"""Exercise 3: the notification socket, /ws/notify/."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from realtime.bridge import user_group


# --8<-- [start:solution]
class NotifyConsumer(AsyncJsonWebsocketConsumer):
    group = None  # set only for a logged-in user

    async def connect(self):
        await self.accept()  # accept first: the page then reads our close code instead of 1006
        user = self.scope["user"]
        if not user.is_authenticated:
            await self.close(code=4401)
            return
        # "user.<id>", not the seed's "user:<id>": Channels 4 allows only letters, digits, - _ and .
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)

    async def disconnect(self, code):
        if self.group is not None:  # a refused visitor never joined a group
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notify(self, event):  # {"type": "notify", "data": ...} from notify_user
        await self.send_json(event["data"])
# --8<-- [end:solution]
