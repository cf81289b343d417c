"""One WebSocket test client for every Channels lesson, with failures phrased for the learner.

    client = await ws.open(application, "/ws/chat/lobby/")        # in-process, connected or the test fails
    client = ws.client(app, "/ws/whoami/", headers, label="ana")  # in-process, connect when you like
    accepted, code = await client.connect()
    client = await ws.open_server(server, "/ws/chat/lobby/")       # a real server (ServerProcess), over TCP

In-process clients drive the ASGI application directly with Channels' `WebsocketCommunicator` (no
server, no network: milliseconds per test); server clients use the `websockets` package. Both answer
the same calls:

- `receive(waiting_for)`: the next frame as JSON, or fail saying what was awaited and what happened;
- `next(timeout)`: ("frame", data) | ("close", code) | ("crash", text) | ("timeout", None), never fails;
- `expect_frame(what)`, `expect_close(code, why)`, `wait_for(what, match)`: checks built on `next`;
- `nothing(timeout)`: True when nothing arrives; `send(dict)`, `send_text`, `send_bytes`; `close()`.

The `ws` fixture (fixtures.py) closes every client it opened when the test ends."""

from __future__ import annotations

import asyncio
import json

from .core import fail

RECEIVE_TIMEOUT = 1.0
CONNECT_TIMEOUT = 2.0


def describe(kind: str, value) -> str:
    """What `next()` returned, as the end of a sentence."""
    if kind == "close":
        return f"it was closed with code {value}"
    if kind == "crash":
        return f"the consumer crashed with {value} (a server closes such a socket with 1011)"
    if kind == "timeout":
        return "nothing came within a second"
    if kind == "frame":
        return f"it sent {json.dumps(value)[:200]}"
    return f"it sent {value!r}"


class WebSocketClient:
    """One connection under test. Build it with `WebSocketClient(app, path)` (in-process) or
    `WebSocketClient.to_server(url)`; the `ws` fixture does both for you."""

    def __init__(self, app, path: str, headers=(), label: str = "the client", *,
                 receive_timeout: float = RECEIVE_TIMEOUT, close_timeout: float = 0.5) -> None:
        self.path = path
        self.label = label
        self.receive_timeout = receive_timeout
        self.close_timeout = close_timeout
        self.seen: list = []  # frames `wait_for` skipped, for its failure message
        self.open_ = False
        self.comm = None
        self.socket = None  # a `websockets` connection (server clients)
        if app is not None:
            from channels.testing import WebsocketCommunicator

            self.comm = WebsocketCommunicator(app, path, headers=list(headers))

    @classmethod
    async def to_server(cls, url: str, *, receive_timeout: float = 2.0, log: str = "") -> WebSocketClient:
        import websockets

        client = cls(None, url, receive_timeout=receive_timeout)
        try:
            client.socket = await websockets.connect(url, open_timeout=5, close_timeout=1)
        except Exception as error:  # noqa: BLE001 - the server's refusal or crash, in the learner's words
            fail(f"Could not open {url}: {type(error).__name__}: {error}\n{log[-800:]}")
        client.open_ = True
        return client

    # --- opening ---------------------------------------------------------------------------------------

    async def connect(self, timeout: float = CONNECT_TIMEOUT):
        """(True, subprotocol) when accepted, (False, close code) when refused; a crash or no answer fails."""
        await self.comm.send_input({"type": "websocket.connect"})
        try:
            response = await self._output(timeout)
        except asyncio.TimeoutError:
            self.comm.future.cancel()  # as a server would drop it (and the test needn't wait for it at close)
            fail(f"{self.path}: the WebSocket handshake got no answer within {timeout:g} s.")
        except Exception as error:  # noqa: BLE001 - routing, middleware and consumer errors land here
            fail(f"{self.path}: the WebSocket handshake crashed with {type(error).__name__}: {error}")
        accepted = response["type"] == "websocket.accept"
        self.open_ = accepted
        return (True, response.get("subprotocol")) if accepted else (False, response.get("code", 1000))

    async def open(self, timeout: float = CONNECT_TIMEOUT) -> WebSocketClient:
        """Connect, or fail when the handshake is refused."""
        accepted, code = await self.connect(timeout)
        if not accepted:
            fail(f"{self.path}: the handshake was refused (close code {code}).")
        return self

    # --- receiving -------------------------------------------------------------------------------------

    async def _output(self, timeout: float) -> dict:
        """The application's next message; a crash of the application is raised at once, not after
        `timeout` (the communicator's own receive_output waits the whole timeout first)."""
        getter = asyncio.ensure_future(self.comm.output_queue.get())
        done, _ = await asyncio.wait({getter, self.comm.future}, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if getter in done:
            return getter.result()
        getter.cancel()
        if self.comm.future.done():
            self.comm.future.result()  # raises what the app raised
            return {"type": "websocket.close", "code": 1000}  # the app ended without closing
        raise asyncio.TimeoutError

    async def next(self, timeout: float = 1.0):
        """The next event: ("frame", data), ("close", code), ("crash", text), ("timeout", None)."""
        if self.socket is not None:
            return await self._next_from_server(timeout)
        try:
            out = await self._output(timeout)
        except asyncio.TimeoutError:
            return ("timeout", None)
        except Exception as error:  # noqa: BLE001
            self.open_ = False
            return ("crash", f"{type(error).__name__}: {error}")
        if out["type"] == "websocket.close":
            self.open_ = False
            return ("close", out.get("code", 1000))
        if out["type"] == "websocket.send":
            text = out.get("text")
            return ("frame", json.loads(text) if text is not None else out.get("bytes"))
        return ("other", out)

    async def _next_from_server(self, timeout: float):
        import websockets

        try:
            raw = await asyncio.wait_for(self.socket.recv(), timeout)
        except (TimeoutError, asyncio.TimeoutError):
            return ("timeout", None)
        except websockets.ConnectionClosed as closed:
            self.open_ = False
            return ("close", closed.rcvd.code if closed.rcvd else 1006)
        return ("frame", json.loads(raw) if isinstance(raw, str) else raw)

    async def receive(self, waiting_for: str, timeout: float | None = None) -> dict:
        """The next frame, as JSON; or fail saying what we waited for and what came instead."""
        timeout = self.receive_timeout if timeout is None else timeout
        if self.socket is not None:
            kind, value = await self._next_from_server(timeout)
            if kind == "timeout":
                fail(f"{self.path}: waited {timeout:g} s for {waiting_for}, but nothing arrived.")
            if kind == "close":
                fail(f"{self.path}: the server closed the connection (code {value}) while we waited for "
                     f"{waiting_for}.")
            return value
        try:
            # The communicator's own: on a timeout it also stops the application, as a server would drop it.
            output = await self.comm.receive_output(timeout)
        except TimeoutError:
            fail(f"{self.path}: waited {timeout:g} s for {waiting_for}, but nothing arrived.")
        except Exception as error:  # noqa: BLE001 - the consumer crashed; its exception surfaces here
            fail(f"{self.path}: the consumer crashed while we waited for {waiting_for}: "
                 f"{type(error).__name__}: {error}")
        if output["type"] == "websocket.close":
            fail(f"{self.path}: the consumer closed the connection (code {output.get('code')}) "
                 f"while we waited for {waiting_for}.")
        try:
            return json.loads(output.get("text") or "")
        except ValueError:
            fail(f"{self.path}: expected {waiting_for} as JSON text, got {output!r}.")

    async def nothing(self, timeout: float = 0.1) -> bool:
        """True when the application sends nothing within `timeout`."""
        return await self.comm.receive_nothing(timeout=timeout)

    async def expect_frame(self, what: str, timeout: float = 1.0):
        kind, value = await self.next(timeout)
        if kind != "frame":
            fail(f"{self.label} expected {what}, but {describe(kind, value)}.")
        return value

    async def expect_close(self, code: int, why: str, timeout: float = 1.0) -> list:
        """Skip frames (an error frame usually comes first) until the close; check its code."""
        frames = []
        for _ in range(50):
            kind, value = await self.next(timeout)
            if kind == "frame":
                frames.append(value)
                continue
            if kind == "close" and value == code:
                return frames
            if kind == "timeout" and frames:
                fail(f"{self.label}: {why}, so the connection should close with {code}, but it stayed open "
                     f"after sending {json.dumps(frames[-1])[:200]}.")
            fail(f"{self.label}: {why}, so the connection should close with {code}, but {describe(kind, value)}.")
        fail(f"{self.label}: {why}, so the connection should close with {code}, but it kept sending frames.")

    async def wait_for(self, what: str, match, timeout: float = 2.0):
        """Read frames until `match(frame)` is true; fail with what happened instead."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            left = deadline - loop.time()
            kind, value = await self.next(max(left, 0.01)) if left > 0 else ("timeout", None)
            if kind == "frame":
                self.seen.append(value)
                if match(value):
                    return value
                continue
            if kind == "crash":
                fail(f"{self.label} waited for {what}, but the consumer crashed with {value}; a server closes "
                     "the socket with 1011 (and does that to every client of the process).")
            if kind == "close":
                fail(f"{self.label} waited for {what}, but the connection was closed with {value}.")
            recent = ", ".join(json.dumps(v)[:80] for v in self.seen[-3:]) or "nothing"
            fail(f"{self.label} waited {timeout:g} s for {what}, but it didn't come (last frames: {recent}).")

    # --- sending and closing ---------------------------------------------------------------------------

    async def send_text(self, text: str) -> None:
        if self.socket is not None:
            await self.socket.send(text)
        else:
            await self.comm.send_input({"type": "websocket.receive", "text": text})

    async def send_bytes(self, data: bytes) -> None:
        await self.comm.send_input({"type": "websocket.receive", "bytes": data})

    async def send(self, message) -> None:
        await self.send_text(json.dumps(message))

    send_json = send

    async def close(self) -> None:
        try:
            if self.socket is not None:
                await self.socket.close()
            else:
                await self.comm.disconnect(timeout=self.close_timeout)
        except BaseException:  # noqa: BLE001 - the app may have ended or crashed already (the test said so)
            pass


class WebSocketClients:
    """The `ws` fixture: opens clients and closes every one of them when the test ends. Closing waits
    `close_timeout` for the consumer's disconnect() to finish, then cancels it: a hung consumer has
    already failed its test and must not slow the next one down."""

    def __init__(self, close_timeout: float = 0.5) -> None:
        self.close_timeout = close_timeout
        self.opened: list[WebSocketClient] = []

    def client(self, app, path: str, headers=(), label: str = "the client") -> WebSocketClient:
        """An in-process client, not connected yet."""
        client = WebSocketClient(app, path, headers, label, close_timeout=self.close_timeout)
        self.opened.append(client)
        return client

    async def open(self, app, path: str, headers=(), timeout: float = RECEIVE_TIMEOUT) -> WebSocketClient:
        """An in-process client, connected (or the test fails saying why)."""
        return await self.client(app, path, headers).open(timeout)

    async def open_server(self, server, path: str) -> WebSocketClient:
        """A client of a real server process (a ServerProcess), connected over TCP."""
        client = await WebSocketClient.to_server(f"ws://127.0.0.1:{server.port}{path}", log=server.output())
        self.opened.append(client)
        return client

    async def close_all(self) -> None:
        for client in self.opened:
            await client.close()
