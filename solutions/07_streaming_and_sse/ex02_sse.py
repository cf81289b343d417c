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


# --8<-- [start:ticks]
def last_event_id(request) -> int:
    # EventSource sends the id of the last event it received when it reconnects.
    try:
        return max(0, int(request.headers.get("Last-Event-ID", "0")))
    except ValueError:
        return 0


async def ticks(request):
    after = last_event_id(request)

    async def stream():
        yield f"retry: {settings.SSE_RETRY_MS}\n\n"
        async for n, event in FEED.events(after=after):
            # id: is what the browser echoes back as Last-Event-ID; event: picks the JS listener.
            yield f"id: {n}\nevent: tick\ndata: {json.dumps(event)}\n\n"

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"  # a cache must never replay a live stream
    response["X-Accel-Buffering"] = "no"  # nginx: pass each chunk on at once instead of buffering
    return response
# --8<-- [end:ticks]
