"""The ASGI application of every web server in the deployment (gunicorn + uvicorn-worker, and daphne):
the capstone's own application (lesson 17), wrapped in this lesson's layers. Course-owned.

    gunicorn -c deploy/gunicorn.conf.py deploy.asgi:application
    daphne --proxy-headers -b 127.0.0.1 -p 8002 deploy.asgi:application
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")

from config.asgi import application as capstone  # noqa: E402 - sets Django up with deploy.settings

import deploy.celery  # noqa: E402,F401 - the web process sends tasks: its publish hooks must be connected
from deploy import health, ops, request_id, shutdown  # noqa: E402


class Lifespan:
    """The capstone's ProtocolTypeRouter has no "lifespan" entry; answer the server's start-up and shutdown
    messages here, so uvicorn doesn't log "ASGI 'lifespan' protocol appears unsupported"."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "lifespan":
            return await self.app(scope, receive, send)
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


# --8<-- [start:layers]
application = Lifespan(
    request_id.RequestIdMiddleware(  # outermost: every log line of a request (and its tasks) carries its id
        shutdown.GracefulShutdown(  # SIGTERM: open WebSockets are closed with 1001, then the server drains
            health.HealthRoutes(  # /healthz and /readyz, answered before Django's URL routing
                ops.OpsRoutes(capstone)  # the lab's probes (/ops/...), then the capstone itself
            )
        )
    )
)
# --8<-- [end:layers]
