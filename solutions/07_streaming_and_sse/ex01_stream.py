"""Exercise 1: stream a countdown, one line at a time.

    GET /ex01/countdown/?from=5   ->  "5\n" ... "1\n" "liftoff\n", one line every COUNTDOWN_STEP seconds

Each line must reach the client when it is produced, not all together at the end."""

import asyncio

from django.conf import settings
from django.http import StreamingHttpResponse


# --8<-- [start:countdown]
async def countdown(request):
    start = int(request.GET.get("from", 5))

    # An async generator: Django's ASGI handler sends each chunk as it is yielded, and the await
    # between lines gives the event loop back to every other request.
    async def lines():
        for n in range(start, 0, -1):
            yield f"{n}\n"
            await asyncio.sleep(settings.COUNTDOWN_STEP)
        yield "liftoff\n"

    return StreamingHttpResponse(lines(), content_type="text/plain; charset=utf-8")
# --8<-- [end:countdown]
