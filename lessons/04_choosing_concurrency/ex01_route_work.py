"""Route each kind of work to the tool that suits it (see shop.py for the three functions).

`process_orders(orders, pool)` handles several orders at once inside an asyncio service. For each
order: fetch the price (async I/O), render the invoice (CPU-bound Python), save it (blocking I/O),
and return the invoice texts in the order of `orders`. `pool` is a ProcessPoolExecutor.
"""

from __future__ import annotations

import asyncio  # noqa: F401 - you will need it
from concurrent.futures import Executor

from shop import Order, fetch_price, render_invoice, save_invoice


# --8<-- [start:process_orders]
async def process_order(order: Order, pool: Executor) -> str:
    price = await fetch_price(order.sku)
    # TODO: both of these stop the event loop: one computes, one blocks. Give each to the tool that
    #       suits it, and await it.
    invoice = render_invoice(order.id, price)
    save_invoice(order.id, invoice)
    return invoice


async def process_orders(orders: list[Order], pool: Executor) -> list[str]:
    # TODO: one order at a time. Handle them all at once.
    return [await process_order(order, pool) for order in orders]
# --8<-- [end:process_orders]
