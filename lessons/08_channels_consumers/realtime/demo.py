"""Consumers for the notebook's measurements (course-owned). Each waits `seconds` per message, in a
different way, then replies; `application` serves them all for a real daphne run.

  /demo/sync/       JsonWebsocketConsumer + time.sleep             (one shared thread per process)
  /demo/to-thread/  async consumer + await sync_to_async(time.sleep)  (thread_sensitive=True: same thread)
  /demo/async/      async consumer + await asyncio.sleep           (waits overlap on the event loop)
"""

import asyncio
import os
import time

from asgiref.sync import sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, JsonWebsocketConsumer


class SyncSleeper(JsonWebsocketConsumer):
    def connect(self):
        self.accept()

    def receive_json(self, content, **kwargs):
        time.sleep(content["seconds"])
        self.send_json({"done": content["id"]})


class ThreadSensitiveSleeper(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        await sync_to_async(time.sleep)(content["seconds"])
        await self.send_json({"done": content["id"]})


class AsyncSleeper(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        await asyncio.sleep(content["seconds"])
        await self.send_json({"done": content["id"]})


class Echo(AsyncJsonWebsocketConsumer):
    async def receive_json(self, content, **kwargs):
        await self.send_json(content)


def build_application():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    from django.core.asgi import get_asgi_application

    django_asgi_app = get_asgi_application()
    from channels.routing import ProtocolTypeRouter, URLRouter
    from django.urls import path

    return ProtocolTypeRouter(
        {
            "http": django_asgi_app,
            "websocket": URLRouter(
                [
                    path("demo/sync/", SyncSleeper.as_asgi()),
                    path("demo/to-thread/", ThreadSensitiveSleeper.as_asgi()),
                    path("demo/async/", AsyncSleeper.as_asgi()),
                    path("demo/echo/", Echo.as_asgi()),
                ]
            ),
        }
    )


def __getattr__(name):
    # `daphne realtime.demo:application` builds the app on first access, after settings are known.
    if name == "application":
        return build_application()
    raise AttributeError(name)
