"""Routes of the live ticker.

Each exercise module is imported on its own: a file with a mistake in it only takes down its own
routes (which then answer 500 with the reason), and its tests explain the problem."""

import importlib

from django.http import HttpResponseServerError
from django.urls import path

from live import demo, views


def exercise_view(module: str, name: str):
    try:
        view = getattr(importlib.import_module(module), name)
    except Exception as error:  # noqa: BLE001 - shown on the page and explained by the tests
        reason = f"{module}.{name} is not available: {type(error).__name__}: {error}"

        async def broken(request, *args, **kwargs):
            return HttpResponseServerError(reason, content_type="text/plain")

        return broken
    return view


urlpatterns = [
    path("", views.index),
    path("feed/stats/", views.stats),
    path("ex01/countdown/", exercise_view("ex01_stream", "countdown")),
    path("ex02/ticks/", exercise_view("ex02_sse", "ticks")),
    path("ex03/watch/", exercise_view("ex03_disconnect", "watch")),
    path("demo/sync/", demo.sync_generator),
    path("demo/async/", demo.async_generator),
]
