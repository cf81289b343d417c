"""Exercise 3b: one id per request, in every log line it causes: in the web server, in the Channels
consumer of a WebSocket, and in the Celery task it sends (seed E: "Request-ID, Correlation-ID").

nginx makes the id (`X-Request-ID $request_id`); a request that arrives without one gets a fresh one.
Right now every log line says "-"."""

import contextvars
import logging

HEADER = b"x-request-id"

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


class RequestIdMiddleware:
    """ASGI middleware for HTTP and WebSocket scopes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        # TODO: take the X-Request-ID header (a safe one: letters, digits, . _ -, up to 64) or make one,
        #       keep it in the context while the app runs, and add it to the HTTP response's headers.
        return await self.app(scope, receive, send)


class RequestIdFilter(logging.Filter):
    """Gives every log record a `request_id` attribute (for `%(request_id)s` in the format)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


def connect_celery() -> None:
    # TODO: when a task is published, put the current id into the message's headers
    #       (celery.signals.before_task_publish); when a worker starts a task, set it from
    #       task.request (celery.signals.task_prerun).
    pass
