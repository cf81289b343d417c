"""A slow HTTP server for lesson 02 (course-owned: the tests, the notebook and bench.py use it).

Every GET waits before it answers, like a busy upstream API. The server handles each request in its
own thread, so it can serve many clients at once, and it counts how many requests it is serving at
the same moment (`peak`): that is how a test tells a concurrent client from a sequential one without
trusting the clock alone.

    GET /any/path?delay=0.2   ->  200, body "any/path <token>" after 0.2 s

Run it on its own to try your code by hand:

    python slow_server.py --port 8002 --delay 0.5
"""

from __future__ import annotations

import argparse
import hashlib
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class SlowServer:
    """A ThreadingHTTPServer on 127.0.0.1 in a background thread: `with SlowServer() as server: ...`."""

    def __init__(self, delay: float = 0.1, port: int = 0) -> None:
        self.delay = delay
        self.secret = secrets.token_hex(8)  # per server: an answer can't be guessed or hard-coded
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0
        self.served: list[str] = []
        # The tests' early verdict: once `alone_limit` requests were served and never two at once, the
        # client is sequential (`sequential` is set) and the server answers the rest 503 at once, so a
        # test can fail now instead of waiting for every remaining request in turn.
        self.alone_limit: int | None = None
        self.sequential = False
        self._abort = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str, delay: float | None = None) -> str:
        query = "" if delay is None else f"?delay={delay:g}"
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}{query}"

    def body_for(self, path: str) -> str:
        """What a GET of `path` answers."""
        path = path.lstrip("/")
        token = hashlib.sha256(f"{self.secret}/{path}".encode()).hexdigest()[:10]
        return f"{path} {token}"

    def reset(self) -> None:
        with self.lock:
            self.peak = self.in_flight
            self.served.clear()
            self.alone_limit = None
            self.sequential = False
            self._abort.clear()

    def stop_when_sequential(self, after: int) -> None:
        """Abort (see abort()) once `after` requests were served one at a time, never two at once."""
        self.alone_limit = after

    def abort(self) -> None:
        """Answer every waiting and every later request 503 at once (until reset()): a client the test
        has already judged stops waiting for the rest of its requests."""
        self._abort.set()

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the name http.server looks for
                parts = urlsplit(self.path)
                delay = float(parse_qs(parts.query).get("delay", [server.delay])[0])
                if server._abort.is_set():
                    self.send_error(503, "aborted by the test")
                    return
                with server.lock:
                    server.in_flight += 1
                    server.peak = max(server.peak, server.in_flight)
                try:
                    aborted = server._abort.wait(min(delay, 10))
                finally:
                    with server.lock:
                        server.in_flight -= 1
                        server.served.append(parts.path.lstrip("/"))
                        limit = server.alone_limit
                        if limit and server.peak == 1 and len(server.served) >= limit and not aborted:
                            server.sequential = True
                            server._abort.set()
                if aborted:
                    self.send_error(503, "aborted by the test")
                    return
                body = server.body_for(parts.path).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format, *args) -> None:  # noqa: A002 - keep test output clean
                pass

        return Handler

    def start(self) -> SlowServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="slow-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> SlowServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8002)
    parser.add_argument("--delay", type=float, default=0.5)
    args = parser.parse_args()
    with SlowServer(delay=args.delay, port=args.port) as server:
        print(f"Slow server on {server.url('')} (each answer takes {args.delay:g} s). Ctrl+C stops it.")
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
