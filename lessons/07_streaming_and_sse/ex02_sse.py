"""Exercise 2: a Server-Sent Events endpoint that a browser can resume.

    GET /ex02/ticks/    text/event-stream, forever:

        retry: 2000            <- first: how long a browser waits before reconnecting (ms)

        id: 1                  <- then one block per feed event
        event: tick
        data: {"n": 1, "symbol": "AWT", "price": "123.45"}

A reconnecting browser sends the last id it saw in the `Last-Event-ID` header: continue after it."""

import json

from django.conf import settings
from django.http import StreamingHttpResponse

from live.feed import FEED


async def ticks(request):
    # This is close to the SSE view of a popular blog post. TODO: it streams, but a browser can't
    # resume it: give every event an id and the name "tick", start after the client's
    # Last-Event-ID, and tell caches and proxies not to store or buffer the stream.
    async def stream():
        yield f"retry: {settings.SSE_RETRY_MS}\n\n"
        async for n, event in FEED.events(after=0):
            yield f"data: {json.dumps(event)}\n\n"

    return StreamingHttpResponse(stream(), content_type="text/event-stream")
