"""Exercise 4: stopping without hurting anyone.

Web servers: on SIGTERM (a deploy, `docker stop`, a rolling restart) close every open WebSocket with
1001 "going away" so browsers reconnect at once, through nginx, to a server that is still up; then hand
the signal on to the server, which stops accepting and lets the requests in flight finish.
Workers: Celery's soft shutdown gives a running task time to finish even on a cold shutdown, and puts
it back on the queue if it can't."""

import asyncio
import os
import signal
import sys
import threading

GOING_AWAY = 1001
# daphne's WebSocket library (autobahn) refuses every close code from an application except 1000 and
# 3000-4999, so under daphne "going away" is said with an application code the clients know: 4001.
GOING_AWAY_APP = 4001


def going_away_code() -> int:
    return GOING_AWAY_APP if "daphne.server" in sys.modules else GOING_AWAY

# --8<-- [start:celery]
CELERY = {
    # Celery 5.5+: on a cold shutdown (SIGQUIT, the second Ctrl-C) the worker waits this long (all of it,
    # even when its tasks finish sooner) before it cancels what still runs and requeues it (acks_late).
    # 0 cuts running tasks off at once. Keep it below the stop grace period (compose: stop_grace_period).
    "worker_soft_shutdown_timeout": 10.0,
}
# --8<-- [end:celery]


# --8<-- [start:middleware]
class GracefulShutdown:
    """ASGI middleware: remembers every open WebSocket's `send`; on SIGTERM closes them all with 1001,
    then passes the signal on to the server's own handler (which drains HTTP requests)."""

    def __init__(self, app):
        self.app = app
        self.sockets: set = set()
        self.installed = False
        self.stopping = False

    def _install(self) -> None:
        # Once, in the server's main thread, after the server installed its own handler (it chains to it).
        if self.installed or threading.current_thread() is not threading.main_thread():
            return
        self.installed = True
        loop = asyncio.get_running_loop()
        previous = signal.getsignal(signal.SIGTERM)

        def on_sigterm(signum, frame):
            self.stopping = True
            loop.call_soon_threadsafe(lambda: loop.create_task(self._close_all_then(previous, signum, frame)))

        signal.signal(signal.SIGTERM, on_sigterm)

    async def _close_all_then(self, previous, signum, frame) -> None:
        sends, code = list(self.sockets), going_away_code()
        await asyncio.gather(*(send({"type": "websocket.close", "code": code}) for send in sends),
                             return_exceptions=True)
        if sends:
            await asyncio.sleep(0.1)  # daphne writes close frames after its own turn of the loop: let them go
        if callable(previous):
            previous(signum, frame)  # uvicorn / twisted: stop accepting, drain, exit
        else:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGTERM)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "websocket":
            return await self.app(scope, receive, send)
        self._install()
        if self.stopping:  # a handshake that arrives during the drain: nginx should send it elsewhere
            await receive()  # websocket.connect
            if "websocket.http.response" in scope.get("extensions", {}):  # uvicorn: a real 503 nginx retries
                await send({"type": "websocket.http.response.start", "status": 503, "headers": []})
                return await send({"type": "websocket.http.response.body", "body": b"draining"})
            return await send({"type": "websocket.close", "code": going_away_code()})

        closed = False

        async def tracked_send(message):
            nonlocal closed
            if closed:
                return  # already closed with 1001: the app's own close (or frame) has nowhere to go
            if message["type"] == "websocket.close":
                closed = True
                self.sockets.discard(tracked_send)
            await send(message)

        self.sockets.add(tracked_send)
        try:
            return await self.app(scope, receive, tracked_send)
        finally:
            self.sockets.discard(tracked_send)
# --8<-- [end:middleware]
