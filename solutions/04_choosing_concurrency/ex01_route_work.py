"""Route each kind of work to the tool that suits it (see shop.py for the three functions).

`process_orders(orders, pool)` handles several orders at once inside an asyncio service. For each
order: fetch the price (async I/O), render the invoice (CPU-bound Python), save it (blocking I/O),
and return the invoice texts in the order of `orders`. `pool` is a ProcessPoolExecutor.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor

from shop import Order, fetch_price, render_invoice, save_invoice


# --8<-- [start:process_orders]
async def process_order(order: Order, pool: Executor) -> str:
    price = await fetch_price(order.sku)  # async I/O: await it on the loop
    loop = asyncio.get_running_loop()
    # CPU-bound Python: a process, because a thread would still hold this process's GIL.
    invoice = await loop.run_in_executor(pool, render_invoice, order.id, price)
    # Blocking I/O: a thread. Not a process: it writes to this process's store, and a child process
    # would write to its own copy, which is lost when it exits.
    await asyncio.to_thread(save_invoice, order.id, invoice)
    return invoice


async def process_orders(orders: list[Order], pool: Executor) -> list[str]:
    return list(await asyncio.gather(*(process_order(order, pool) for order in orders)))
# --8<-- [end:process_orders]
