"""URLs of the mini-project. Exercise views are imported on request (see lazy.py)."""

from django.urls import path

from . import bench_views, views
from .lazy import exercise_view

# --8<-- [start:urls]
urlpatterns = [
    path("", views.home, name="home"),
    path("ex01/price", exercise_view("ex01_async_view.price"), name="ex01-price"),
    path("ex02/ping", exercise_view("ex02_no_blocking.ping"), name="ex02-ping"),
    path("ex02/stock", exercise_view("ex02_no_blocking.stock"), name="ex02-stock"),
    path("ex03/product", exercise_view("ex03_concurrent_upstreams.product"), name="ex03-product"),
    # Course-owned reference views that bench.py measures; they never change.
    path("bench/sync", bench_views.sync_price, name="bench-sync"),
    path("bench/async", bench_views.async_price, name="bench-async"),
    path("bench/blocking", bench_views.blocking_price, name="bench-blocking"),
]
# --8<-- [end:urls]
