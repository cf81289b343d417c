"""Two views for the thread_sensitive measurement (notebook and README).

Both wait on the same blocking call; they differ only in `thread_sensitive`. Each answers with the
name of the thread that ran the call, so you can count how many threads served a burst."""

import threading
import time

from asgiref.sync import sync_to_async
from django.http import JsonResponse

BLOCK_SECONDS = 0.2


def blocking_io(seconds: float) -> str:
    """Stands for any sync library call: it holds its thread, not the CPU."""
    time.sleep(seconds)
    return threading.current_thread().name


# --8<-- [start:bench]
async def sensitive(request):
    # The default. Django's ASGI handler gives every request its own ThreadSensitiveContext, so this
    # runs on a thread created for this request.
    thread = await sync_to_async(blocking_io)(BLOCK_SECONDS)
    return JsonResponse({"thread": thread})


async def insensitive(request):
    # Runs in the event loop's default executor: min(32, CPUs + 4) threads for the whole process.
    thread = await sync_to_async(blocking_io, thread_sensitive=False)(BLOCK_SECONDS)
    return JsonResponse({"thread": thread})
# --8<-- [end:bench]
