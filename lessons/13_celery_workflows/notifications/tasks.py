"""Course-owned: notifications "sent" as JSON files in settings.OUTBOX_DIR (so tests can read them)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from celery import shared_task
from django.conf import settings


def write_message(to: str, subject: str, **extra) -> dict:
    """Store one message in the outbox and return it."""
    message = {"to": to, "subject": subject, **extra}
    folder = Path(settings.OUTBOX_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{uuid.uuid4().hex}.json").write_text(json.dumps(message), encoding="utf-8")
    return message


@shared_task(bind=True)
def notify(self, to: str, subject: str) -> dict:
    """Tell `to` something (a mail, a push, a chat message: here a file in the outbox)."""
    return write_message(to, subject, worker=self.request.hostname)


@shared_task(bind=True)
def whoami(self) -> dict:
    """Which worker ran me, and from which queue."""
    return {"hostname": self.request.hostname, "routing_key": (self.request.delivery_info or {}).get("routing_key")}
