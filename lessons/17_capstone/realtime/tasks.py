"""A course-owned task that pushes one notification from a worker: the page's "ping me" button, and the
proof in the tests that a message from another process reaches a browser's socket."""

from celery import shared_task

from .bridge import notify_user


@shared_task
def ping_user(user_id: int, text: str = "pong") -> str:
    notify_user(user_id, {"event": "ping", "text": text})
    return text
