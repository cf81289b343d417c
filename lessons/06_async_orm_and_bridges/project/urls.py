"""Routes of the bookshelf.

Each exercise module is imported on its own: a file with a mistake in it only takes down its own
routes (which then answer 500 with the reason), and its tests explain the problem."""

import importlib

from django.contrib.auth import views as auth_views
from django.http import HttpResponseServerError
from django.urls import path

from bookshelf import bench, views


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
    path("", views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("ex01/books/", exercise_view("ex01_async_orm", "books")),
    path("ex01/books/<int:pk>/", exercise_view("ex01_async_orm", "book_detail")),
    path("ex02/me/", exercise_view("ex02_auser", "me")),
    path("ex03/quotes/", exercise_view("ex03_sync_library", "quotes")),
    path("bench/sensitive/", bench.sensitive),
    path("bench/insensitive/", bench.insensitive),
]
