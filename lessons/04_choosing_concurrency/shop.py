"""The order service's three kinds of work (course-owned, used by ex01 and the notebook).

- `await fetch_price(sku)`: I/O with an async client: just await it.
- `render_invoice(order_id, price)`: pure-Python computation, about 0.1 s of CPU: it holds the GIL.
- `save_invoice(order_id, text)`: I/O through a blocking library (think: a sync database driver):
  it blocks its thread for 0.2 s, and it writes to *this process's* store, `SAVED`.

Each function also notes where it ran (how many calls at once, which thread, which process), so a
test can see whether the work overlapped and which tool ran it, without trusting the clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from dataclasses import dataclass

PRICE_LATENCY = 0.1
SAVE_LATENCY = 0.2
RENDER_STEPS = 600_000

SAVED: dict[int, str] = {}
rendered_here: list[str] = []  # names of the threads of *this* process that rendered an invoice
saved_on: list[int] = []  # idents of the threads that saved an invoice


@dataclass(frozen=True)
class Order:
    id: int
    sku: str


class _Gauge:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.peak = 0

    def __enter__(self):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc):
        with self.lock:
            self.now -= 1


prices = _Gauge()
saves = _Gauge()
_secret = secrets.token_hex(6)


def reset() -> None:
    """Forget saved invoices and counters, and pick new prices (tests call this first)."""
    global _secret, prices, saves
    _secret = secrets.token_hex(6)
    SAVED.clear()
    rendered_here.clear()
    saved_on.clear()
    prices, saves = _Gauge(), _Gauge()


def price_of(sku: str) -> int:
    return 100 + int(hashlib.sha256(f"{_secret}:{sku}".encode()).hexdigest(), 16) % 900


# --8<-- [start:work]
async def fetch_price(sku: str) -> int:
    with prices:
        await asyncio.sleep(PRICE_LATENCY)  # an async HTTP call to the pricing service
    return price_of(sku)


def render_invoice(order_id: int, price: int) -> str:
    rendered_here.append(threading.current_thread().name)  # in a child process: the child's own list
    checksum = order_id
    for step in range(RENDER_STEPS):  # pure Python: holds the GIL the whole time
        checksum = (checksum * 31 + step + price) % 1_000_000_007
    return f"invoice #{order_id}: {price} EUR, check {checksum}"


def save_invoice(order_id: int, text: str) -> None:
    saved_on.append(threading.get_ident())
    with saves:
        time.sleep(SAVE_LATENCY)  # a blocking driver waiting for the database
        SAVED[order_id] = text
# --8<-- [end:work]
