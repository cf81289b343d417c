"""What lesson 07's test modules share (imported as `support`; fixtures live in conftest.py): an HTTP
client, a Server-Sent Events reader, and what the server logged."""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from dataclasses import dataclass, field

import httpx
from awaitlings.testing import ServerProcess, fail

COUNTDOWN_STEP = 0.05  # seconds between countdown lines
FEED_INTERVAL = 0.02  # seconds between feed events
SERVERS: list[ServerProcess] = []  # the running server, for its log


# Building an SSL context costs tens of milliseconds; the tests make many short-lived clients.
SSL_CONTEXT = ssl.create_default_context()


def client(server) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.url, timeout=httpx.Timeout(5.0), verify=SSL_CONTEXT)


def server_warning(server) -> str:
    """The 'must consume synchronous iterators' warning, if the server logged it."""
    for line in server.output().splitlines():
        if "must consume synchronous iterators" in line:
            return line.strip()
    return ""


def server_error() -> str:
    """The last exception the server logged from an exercise file, and the line it came from.

    A traceback is read block by block: Django sometimes raises a second, misleading error while
    handling the first (see the README), so the block that passes through an exercise file wins."""
    if not SERVERS:
        return ""
    found = ""
    frame = None
    for raw in SERVERS[-1].output().splitlines():
        line = raw.strip()
        if line.startswith("Traceback (most recent call last)"):
            frame = None
            continue
        where = re.match(r'File "([^"]+)", line (\d+)', line)
        if where:
            frame = (where[1], where[2]) if re.search(r"ex\d\d_\w+\.py$", where[1]) else frame
            continue
        error = re.match(r"^(\w+(?:Error|Exception)): (.*)$", line)
        if error and frame:
            found = f" The server logged {error[1]}: {error[2]} (from {frame[0].rsplit('/', 1)[-1]} line {frame[1]})."
            frame = None
    return found


def broken_stream(what: str, received: str) -> None:
    fail(f"{what}: the server broke the stream off after {received}: your generator raised an exception.{server_error()}")


@dataclass
class Stream:
    """What an SSE client saw: the events (dicts of their fields), the retry delay and the comments."""

    events: list[dict] = field(default_factory=list)
    retry: str | None = None
    fields_before_first_event: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)


class SSEReader:
    """Reads a text/event-stream response event by event.

    It keeps one line iterator for the whole response: abandoning an httpx line iterator closes the
    connection, which the server would see as the client leaving."""

    def __init__(self, response: httpx.Response, what: str) -> None:
        self.response = response
        self.what = what
        self.lines = response.aiter_lines()
        self.stream = Stream()
        self._block: dict = {}

    async def read(self, count: int, timeout: float = 3.0) -> list[dict]:
        """Wait until `count` events in total (blocks with `data:`) have arrived; return them all."""
        stream = self.stream
        try:
            async with asyncio.timeout(timeout):
                while len(stream.events) < count:
                    line = await anext(self.lines)
                    if line == "":
                        if "data" in self._block:
                            stream.events.append(self._block)
                        self._block = {}
                        continue
                    if line.startswith(":"):
                        stream.comments.append(line[1:].strip())
                        continue
                    name, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if not stream.events:
                        stream.fields_before_first_event.append(name)
                    if name == "retry":
                        stream.retry = value
                    elif name == "data":
                        self._block["data"] = f"{self._block['data']}\n{value}" if "data" in self._block else value
                    else:
                        self._block[name] = value
        except TimeoutError:
            fail(f"{self.what}: only {len(stream.events)} of {count} events arrived within {timeout:.0f} s.")
        except StopAsyncIteration:
            fail(f"{self.what}: the stream ended after {len(stream.events)} events; a live stream should keep going.")
        except httpx.HTTPError:
            broken_stream(self.what, f"{len(stream.events)} events")
        return stream.events


async def read_sse(response: httpx.Response, count: int, what: str, timeout: float = 3.0) -> Stream:
    """The first `count` events of an SSE response (and its retry field and comments)."""
    if response.status_code != 200:
        await response.aread()
        fail(f"{what} answered {response.status_code}: {response.text[:300]}")
    reader = SSEReader(response, what)
    await reader.read(count, timeout)
    return reader.stream


async def timed_lines(response: httpx.Response, started: float) -> list[tuple[float, str]]:
    """Every line of the body with the time (since `started`) it arrived."""
    out = []
    try:
        async for line in response.aiter_lines():
            out.append((time.perf_counter() - started, line))
    except httpx.HTTPError:
        broken_stream(f"{response.request.method} {response.request.url.path}", f"{len(out)} lines")
    return out
