"""Exercise 3: release the subscription when the client goes away.

    GET /ex03/watch/    text/event-stream of the feed, one subscription per client

A subscription holds a resource (think: a Redis pub/sub connection) until `await sub.aclose()`.
/feed/stats/ shows how many are open."""

import json

from django.http import StreamingHttpResponse

from live.feed import FEED


# --8<-- [start:watch]
async def watch(request):
    async def stream():
        sub = FEED.subscribe()
        try:
            async for n, event in sub:
                yield f"id: {n}\ndata: {json.dumps(event)}\n\n"
        finally:
            # A disconnect arrives as CancelledError at the `await` inside the loop: only a finally
            # (or `async with`) still runs then. Don't swallow the CancelledError, let it go on.
            await sub.aclose()

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
# --8<-- [end:watch]
