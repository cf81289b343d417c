"""Exercise 3b: one id per request, in every log line it causes: in the web server, in the Channels
consumer of a WebSocket, and in the Celery task it sends (seed E: "Request-ID, Correlation-ID").

nginx makes the id (`X-Request-ID $request_id`); a request that arrives without one gets a fresh one."""

import contextvars
import logging
import re
import uuid

HEADER = b"x-request-id"
_VALID = re.compile(r"[A-Za-z0-9._-]{1,64}")  # an id from outside goes into logs: no spaces, no newlines

# --8<-- [start:context]
# A ContextVar, not a global or a thread-local: each request's task (and the tasks it creates, and
# sync_to_async's threads) sees its own value, however many requests one event loop runs at once.
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)
# --8<-- [end:context]


# --8<-- [start:middleware]
class RequestIdMiddleware:
    """ASGI middleware for HTTP and WebSocket scopes: take the proxy's id (or make one), keep it in the
    context for everything this connection runs, and send it back in the response's X-Request-ID."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        incoming = dict(scope.get("headers", [])).get(HEADER, b"").decode("latin-1")
        rid = incoming if _VALID.fullmatch(incoming) else uuid.uuid4().hex

        async def send_with_id(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (HEADER, rid.encode())]}
            await send(message)

        token = set_request_id(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _request_id.reset(token)
# --8<-- [end:middleware]


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute (for `%(request_id)s` in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


# --8<-- [start:celery]
def _on_publish(headers=None, **kwargs):
    rid = _request_id.get()
    if headers is not None and rid != "-":
        headers["request_id"] = rid  # a message header: it travels with the task to the worker


def _on_task_start(task=None, **kwargs):
    rid = getattr(task.request, "request_id", None) if task is not None else None
    _request_id.set(rid or "-")  # "-" too: a pool process runs task after task, never leak the last id


def connect_celery() -> None:
    from celery.signals import before_task_publish, task_prerun

    before_task_publish.connect(_on_publish, weak=False, dispatch_uid="deploy.request_id.publish")
    task_prerun.connect(_on_task_start, weak=False, dispatch_uid="deploy.request_id.prerun")
# --8<-- [end:celery]
