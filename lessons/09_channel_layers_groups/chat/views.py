import os

from django.conf import settings
from django.shortcuts import render


async def index(request):
    return render(request, "chat/index.html")


async def room(request, room):
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1]
    return render(request, "chat/room.html", {"room": room, "layer": layer, "server": os.getpid()})
