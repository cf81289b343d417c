"""The home page: what this mini-project serves."""

from django.conf import settings
from django.shortcuts import render

ENDPOINTS = [
    ("ex01/price?sku=SKU-7", "Exercise 1: one upstream call from an async view"),
    ("ex02/ping?n=1", "Exercise 2: a simulated I/O wait that must not block the loop"),
    ("ex02/stock?sku=SKU-7", "Exercise 2: an upstream call that must not block the loop"),
    ("ex03/product?sku=SKU-7", "Exercise 3: price, stock and reviews, fetched concurrently"),
    ("bench/sync?sku=SKU-7", "Benchmark: sync view, blocking client"),
    ("bench/async?sku=SKU-7", "Benchmark: async view, httpx.AsyncClient"),
    ("bench/blocking?sku=SKU-7", "Benchmark: async view calling a blocking client (the trap)"),
]


async def home(request):
    return render(request, "home.html", {"endpoints": ENDPOINTS, "upstream": settings.UPSTREAM_URL})
