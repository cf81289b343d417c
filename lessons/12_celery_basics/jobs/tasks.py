"""Course-owned tasks of the job page."""

import time

from celery import shared_task

STEP_SECONDS = 0.05  # per step of work, so a job of 10 steps takes about half a second


@shared_task
def crunch(steps: int) -> dict:
    """A slow job: `steps` rounds of work, then a result the page can show."""
    total = 0
    for i in range(steps):
        time.sleep(STEP_SECONDS)
        total += i * i
    return {"steps": steps, "sum_of_squares": total}


# --8<-- [start:async_task]
@shared_task
def async_task():
    """The first blog post's example: three seconds of work nobody should wait for in a request."""
    time.sleep(3)
    return "작업 완료"
# --8<-- [end:async_task]


@shared_task
def tags_of(text: str):
    """Course-owned, for the "eager mode lies" example: a set can't be stored as a JSON result."""
    return {word for word in text.split() if word.startswith("#")}
