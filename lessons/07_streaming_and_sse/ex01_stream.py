"""Exercise 1: stream a countdown, one line at a time.

    GET /ex01/countdown/?from=5   ->  "5\n" ... "1\n" "liftoff\n", one line every COUNTDOWN_STEP seconds

Each line must reach the client when it is produced, not all together at the end."""

import time

from django.conf import settings
from django.http import StreamingHttpResponse


async def countdown(request):
    start = int(request.GET.get("from", 5))

    # TODO: this is a sync generator. Under ASGI, Django reads it to the end before sending the first
    # byte (and logs a warning): the client sees nothing, then everything. Make it an async generator.
    def lines():
        for n in range(start, 0, -1):
            yield f"{n}\n"
            time.sleep(settings.COUNTDOWN_STEP)
        yield "liftoff\n"

    return StreamingHttpResponse(lines(), content_type="text/plain; charset=utf-8")
