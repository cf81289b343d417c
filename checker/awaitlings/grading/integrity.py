"""Report integrity: the learner's code shares a process with the pytest plugin, so anything it can reach
it may try to forge. The grader gives each pytest process a fresh secret through a pipe; the plugin
signs every report line with it (`<hmac> <seq> <json>`: protocol.Signer, the one implementation) and
writes them to a pipe whose number is in no environment variable. `Relay` reads that pipe outside the sandbox,
drops every line whose signature or sequence number is wrong (printed fake results, junk written to
stray fds, replays), and passes the good lines to the runner's report file."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from ..protocol import Verifier, new_key, sign

__all__ = ["Relay", "new_key", "sign"]


class Relay(threading.Thread):
    """Verify the signed report stream from `read_fd` and append the good lines to `report`."""

    def __init__(self, key: bytes, read_fd: int, report: Path, on_event=None) -> None:
        super().__init__(daemon=True, name="awaitlings-relay")
        self.verifier = Verifier(key)
        self.read_fd = read_fd
        self.report = report
        self.on_event = on_event
        self.accepted = 0
        self.rejected = 0
        self.samples: list[str] = []  # the first rejected lines, for the instructor

    def check(self, raw: bytes) -> dict | None:
        return self.verifier.check(raw)

    def run(self) -> None:
        buffer = b""
        with open(self.report, "ab", buffering=0) as out:
            while True:
                try:
                    chunk = os.read(self.read_fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                buffer += chunk
                *lines, buffer = buffer.split(b"\n")
                for raw in lines:
                    self._take(raw, out)
                if len(buffer) > 1_000_000:  # a "line" that never ends: junk
                    self._reject(buffer)
                    buffer = b""
        if buffer:
            self._reject(buffer)  # a last line without its newline never counts
        try:
            os.close(self.read_fd)
        except OSError:
            pass

    def _take(self, raw: bytes, out) -> None:
        if not raw.strip():
            return
        event = self.check(raw)
        if event is None:
            self._reject(raw)
            return
        self.accepted += 1
        out.write(json.dumps(event).encode() + b"\n")
        if self.on_event:
            self.on_event(event)

    def _reject(self, raw: bytes) -> None:
        self.rejected += 1
        if len(self.samples) < 3:
            self.samples.append(raw[:200].decode("utf-8", "replace"))
