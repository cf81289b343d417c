"""Exercise 3: release the subscription when the client goes away.

    GET /ex03/watch/    text/event-stream of the feed, one subscription per client

A subscription holds a resource (think: a Redis pub/sub connection) until `await sub.aclose()`.
/feed/stats/ shows how many are open."""

import json

from django.http import StreamingHttpResponse

from live.feed import FEED


async def watch(request):
    async def stream():
        sub = FEED.subscribe()
        async for n, event in sub:
            yield f"id: {n}\ndata: {json.dumps(event)}\n\n"
        # TODO: the loop never ends on its own. When the client disconnects, Django cancels this
        # generator at its current `await`, so this line is never reached and the subscription leaks.
        await sub.aclose()

    response = StreamingHttpResponse(stream(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
