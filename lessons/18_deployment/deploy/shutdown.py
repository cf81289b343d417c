"""Exercise 4: stopping without hurting anyone.

Web servers: on SIGTERM (a deploy, `docker stop`, a rolling restart) every open WebSocket should be
closed with 1001 "going away", so browsers reconnect at once, through nginx, to a server that is still
up; then the signal goes on to the server, which stops accepting and lets requests in flight finish.
Workers: Celery's soft shutdown gives a running task time to finish even on a cold shutdown.

Right now nothing is closed on purpose: the server drops the sockets however it likes."""

import sys

GOING_AWAY = 1001
# daphne's WebSocket library (autobahn) refuses every close code from an application except 1000 and
# 3000-4999, so under daphne "going away" is said with an application code the clients know: 4001.
GOING_AWAY_APP = 4001


def going_away_code() -> int:
    return GOING_AWAY_APP if "daphne.server" in sys.modules else GOING_AWAY

# TODO: Celery settings for a worker's shutdown (Celery 5.5+ soft shutdown): a running task gets
#       about 10 s to finish on a cold shutdown (SIGQUIT) instead of being cut off at once.
CELERY = {}


class GracefulShutdown:
    """ASGI middleware around every connection."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        # TODO: remember each open WebSocket's `send`. On SIGTERM (chain to the server's own handler:
        #       signal.getsignal, once, in the main thread), send {"type": "websocket.close", "code": going_away_code()}
        #       to each, then call the previous handler so the server drains and exits.
        return await self.app(scope, receive, send)
