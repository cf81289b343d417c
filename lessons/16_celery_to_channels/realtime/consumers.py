"""Exercise 2: NotifyConsumer at /ws/notify/, one user's live channel.

  server -> client  whatever a push carries: {"event": "progress", "task_id": ..., "percent": 40}, ...
  client -> server  {"action": "start", "steps": 20}     start a report on a Celery worker
  server -> client  {"event": "accepted", "task_id": ..., "status_url": "/api/reports/<id>/"}
                    {"event": "error", "error": "..."}   for anything else (the socket stays open)

Only signed-in users connect (the session cookie; config/asgi.py puts `user` in the scope);
anyone else is refused. Every connection of a user joins the group `group_for(user.pk)`
(realtime/bridge.py), so a push to the user reaches all of their tabs, and nobody else's.
"""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from realtime.bridge import group_for  # noqa: F401 - you'll need it
from reports.tasks import build_report  # noqa: F401 - and this

MAX_STEPS = 100


class NotifyConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.user = self.scope["user"]
        # TODO: refuse anyone who isn't signed in.
        # TODO: join the user's group, so pushes for this user reach this socket.
        await self.accept()

    async def disconnect(self, code):
        pass  # TODO: leave the group

    async def receive_json(self, content, **kwargs):
        # TODO: {"action": "start", "steps": n} with 1 <= n <= MAX_STEPS: queue build_report(user id, n)
        #       on a worker (don't run it here) and answer {"event": "accepted", ...}.
        await self.send_json({"event": "error", "error": "starting a report is not implemented yet"})

    # TODO: the handler of the group messages {"type": "notify", "data": {...}}: send `data` to the browser.
