"""Mail sent by another process (a Celery worker), read from Django's file backend: a worker's memory
(`locmem`'s outbox) is out of a test's reach, a folder of message files is not."""

from __future__ import annotations

import email
import time
from collections.abc import Callable
from email.message import Message
from pathlib import Path

from ..i18n import _
from . import fail

__all__ = ["MailFolder"]


class MailFolder:
    """`EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"` writes one file per message
    into EMAIL_FILE_PATH; this reads them back as `email.message.Message`s."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    def clear(self) -> None:
        if self.folder.exists():
            for path in self.folder.iterdir():
                path.unlink()

    def files(self) -> list[Path]:
        return sorted(self.folder.iterdir(), key=lambda p: p.stat().st_mtime) if self.folder.exists() else []

    def messages(self) -> list[Message]:
        return [email.message_from_bytes(path.read_bytes()) for path in self.files()]

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages() if address in (m.get("To") or "")]

    def sent_at(self, address: str) -> float | None:
        """When (time.time()) the first message to `address` was written, or None."""
        for path in self.files():
            if address in (email.message_from_bytes(path.read_bytes()).get("To") or ""):
                return path.stat().st_mtime
        return None

    def wait_for(self, match: str | Callable[[Message], bool], timeout: float = 5.0) -> Message:
        """The first message to an address (or matching a predicate), waiting up to `timeout` seconds."""
        test = (lambda m: match in (m.get("To") or "")) if isinstance(match, str) else match
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.messages() if test(m)]
            if found:
                return found[0]
            if time.monotonic() > deadline:
                if isinstance(match, str):
                    fail(_("No mail to {address} arrived within {seconds} s.").format(address=match,
                                                                                     seconds=f"{timeout:g}"))
                fail(_("No mail like that arrived within {seconds} s.").format(seconds=f"{timeout:g}"))
            time.sleep(0.02)
