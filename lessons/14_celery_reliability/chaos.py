"""The lesson's crash drill (course-owned; used by tests/test_examples.py, bench.py and the notebook).

`drill(start_worker, orders=50, kills=3)`: two worker processes charge `orders` orders from the queue
"chaos"; whenever a worker is in the middle of a charge, the drill SIGKILLs the whole worker (main
process and pool: no shutdown, no acks) and starts it again, `kills` times. Then it waits until the
queue is drained and nothing is left unacknowledged, and counts each order's charges:
charged once, twice (or more), or never (lost)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

QUEUE = "chaos"


@dataclass
class DrillResult:
    orders: int
    kills: int
    charged_once: int
    charged_twice: list[int] = field(default_factory=list)  # order ids charged more than once
    lost: list[int] = field(default_factory=list)  # order ids never charged
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.orders} orders, {self.kills} worker kills: {self.charged_once} charged once, "
                f"{len(self.charged_twice)} charged twice, {len(self.lost)} lost ({self.seconds:.1f} s)")


# --8<-- [start:drill]
def drill(start_worker, orders: int = 50, kills: int = 3, timeout: float = 60.0) -> DrillResult:
    """`start_worker(name)` returns a ready CeleryWorker consuming QUEUE (concurrency 1)."""
    from django.db.models import Count

    from payments import provider
    from payments.models import Charge, Order
    from payments.tasks import charge

    provider.reset()
    workers = [start_worker("chaos-a"), start_worker("chaos-b")]
    ids = [Order.objects.create(amount=1000 * (i % 9 + 1)).id for i in range(orders)]
    started = time.monotonic()
    for order_id in ids:
        charge.apply_async(args=[order_id], queue=QUEUE)

    done_kills, last = 0, None
    deadline = started + timeout
    while done_kills < kills and time.monotonic() < deadline:
        inflight = set(provider.inflight())
        for worker in sorted(workers, key=lambda w: w is last):  # alternate between the two
            if inflight & set(worker.pool_pids()):
                worker.kill()  # SIGKILL, mid-charge: the worker can't ack, requeue or say goodbye
                provider.store().delete("provider:inflight")
                worker.start().wait_ready()  # and back up, like a supervisor would restart it
                done_kills, last = done_kills + 1, worker
                break
        time.sleep(0.005)

    # Until every message is done or gone: the queue is empty, nobody is charging, and that stays so
    # for `quiet` seconds (longer than the 1 s visibility timeout plus a restore sweep). A message stuck
    # unacknowledged for an hour-long visibility timeout counts as lost: it is, for that hour.
    client, quiet, calm_since = provider.store(), 3.0, None
    while time.monotonic() < deadline:
        if client.llen(QUEUE) == 0 and not provider.inflight():
            calm_since = calm_since or time.monotonic()
            if time.monotonic() - calm_since > quiet:
                break
        else:
            calm_since = None
        time.sleep(0.05)
    seconds = time.monotonic() - started
    counts = dict(Charge.objects.filter(order_id__in=ids).values_list("order_id").annotate(n=Count("id")))
    return DrillResult(
        orders=orders, kills=done_kills, seconds=seconds,
        charged_once=sum(1 for i in ids if counts.get(i) == 1),
        charged_twice=[i for i in ids if counts.get(i, 0) > 1],
        lost=[i for i in ids if i not in counts],
    )
# --8<-- [end:drill]
