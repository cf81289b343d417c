"""Course-owned: the smallest task that pushes to a user (the tests and the notebook use it)."""

import time

from celery import shared_task

from realtime.bridge import notify_user


@shared_task
def ping_user(user_id: int, payload: dict) -> float:
    """Push `payload` to the user through the channel layer; returns when the push started (time.time())."""
    started = time.time()
    notify_user(user_id, payload)
    return started
