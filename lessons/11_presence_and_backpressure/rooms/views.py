from django.conf import settings
from django.shortcuts import render


def room(request, slug="lobby"):
    return render(
        request,
        "rooms/room.html",
        {"slug": slug, "heartbeat": settings.HEARTBEAT_INTERVAL, "redis": bool(settings.REDIS_URL)},
    )
