"""Exercise 2: NotifyConsumer at /ws/notify/, one user's live channel.

  server -> client  whatever a push carries: {"event": "progress", "task_id": ..., "percent": 40}, ...
  client -> server  {"action": "start", "steps": 20}     start a report on a Celery worker
  server -> client  {"event": "accepted", "task_id": ..., "status_url": "/api/reports/<id>/"}
                    {"event": "error", "error": "..."}   for anything else (the socket stays open)

Only signed-in users connect (the session cookie; config/asgi.py puts `user` in the scope);
anyone else is refused. Every connection of a user joins the group `group_for(user.pk)`
(realtime/bridge.py), so a push to the user reaches all of their tabs, and nobody else's.
"""

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.urls import reverse

from realtime.bridge import group_for
from reports.tasks import build_report

MAX_STEPS = 100


class NotifyConsumer(AsyncJsonWebsocketConsumer):
    # --8<-- [start:connect]
    async def connect(self):
        self.user = self.scope["user"]
        self.group = None
        if not self.user.is_authenticated:
            await self.close()  # before accept: the handshake is refused (HTTP 403)
            return
        self.group = group_for(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)  # every tab of the user joins
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)
    # --8<-- [end:connect]

    # --8<-- [start:start]
    async def receive_json(self, content, **kwargs):
        steps = content.get("steps") if isinstance(content, dict) else None
        if steps is None or content.get("action") != "start" or type(steps) is not int or not 1 <= steps <= MAX_STEPS:
            await self.send_json({"event": "error", "error": f"send {{\"action\": \"start\", \"steps\": 1..{MAX_STEPS}}}"})
            return
        # Channels -> Celery: the worker does the job; this socket only queues it. delay() talks to
        # Redis with a blocking client, so it runs in a thread, not on the event loop.
        result = await sync_to_async(build_report.delay)(self.user.pk, steps)
        await self.send_json({"event": "accepted", "task_id": result.id,
                              "status_url": reverse("report_status", args=[result.id])})
    # --8<-- [end:start]

    # --8<-- [start:notify]
    async def notify(self, event):
        # group_send(..., {"type": "notify", "data": ...}) lands here (type "notify" -> method notify):
        # forward the payload, not the envelope.
        await self.send_json(event["data"])
    # --8<-- [end:notify]
