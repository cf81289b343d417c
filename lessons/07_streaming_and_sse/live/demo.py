"""The same five lines streamed two ways, for the measurement in the notebook (measure.py).

Under ASGI only the async generator streams: Django collects a sync generator into a list, in a
worker thread, before it sends the first byte."""

import asyncio
import time

from django.http import StreamingHttpResponse

LINES = 5
PAUSE = 0.2


# --8<-- [start:demo]
def sync_lines():
    for n in range(LINES):
        time.sleep(PAUSE)  # in a worker thread: Django runs sync iterators there under ASGI
        yield f"line {n}\n"


async def async_lines():
    for n in range(LINES):
        await asyncio.sleep(PAUSE)
        yield f"line {n}\n"


async def sync_generator(request):
    return StreamingHttpResponse(sync_lines(), content_type="text/plain")


async def async_generator(request):
    return StreamingHttpResponse(async_lines(), content_type="text/plain")
# --8<-- [end:demo]
