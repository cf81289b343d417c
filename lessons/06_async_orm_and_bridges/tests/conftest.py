"""Fixtures for lesson 06: the price service, random books, a query counter, and a request helper
that turns a crash inside a view into a sentence about the learner's own line (support.py, shared by
the test modules)."""

from __future__ import annotations

import contextlib
import random

import pytest
from awaitlings.testing import ServerProcess
from support import PRICING_DELAY


@pytest.fixture(scope="session")
def django_db_use_migrations() -> bool:
    """The test database is made from the models (pytest-django's --no-migrations): about 0.15 s sooner
    than replaying the migrations, in each pytest process of a check. No exercise touches a model or a
    migration; that the migrations match the models is test_examples' business (and the mini-project,
    serve.py, migrates for real)."""
    return False


def price_service(delay: float) -> ServerProcess:
    return ServerProcess(
        ["{python}", "-m", "uvicorn", "upstream:app", "--port", "{port}", "--log-level", "warning"],
        env={"PRICING_DELAY": str(delay)},
    )


@pytest.fixture(scope="session")
def pricing_urls(request):
    """The price service (upstream.py) on free loopback ports, for the whole session: one with the
    lesson's slow network (PRICING_DELAY per answer) and, when a collected test uses `instant_pricing`,
    one that answers at once, for tests that time nothing. Both start together."""
    servers = {"slow": price_service(PRICING_DELAY)}
    if any("instant_pricing" in getattr(item, "fixturenames", ()) for item in request.session.items):
        servers["instant"] = price_service(0)
    with contextlib.ExitStack() as stack:
        for server in servers.values():
            stack.push(server)  # stopped (and its log closed) when the session ends
            server.start()
        for server in servers.values():
            server.wait_ready()
        yield {name: server.url for name, server in servers.items()}


@pytest.fixture
def pricing(pricing_urls, settings):
    """The price service with the lesson's slow network, in settings.PRICING_URL."""
    settings.PRICING_URL = pricing_urls["slow"]
    return settings.PRICING_URL


@pytest.fixture
def instant_pricing(pricing_urls, settings):
    """The price service answering at once, in settings.PRICING_URL: for tests whose point is not timing."""
    settings.PRICING_URL = pricing_urls["instant"]
    return settings.PRICING_URL


@pytest.fixture
def rng() -> random.Random:
    return random.Random()


@pytest.fixture
def selects(monkeypatch) -> list[str]:
    """Every SELECT any thread sends to the database during the test (the async ORM runs in threads,
    each with its own connection, so a per-connection counter would miss them)."""
    from django.db.backends import utils

    seen: list[str] = []
    original = utils.CursorWrapper.execute

    def execute(self, sql, params=None):
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append(sql)
        return original(self, sql, params)

    monkeypatch.setattr(utils.CursorWrapper, "execute", execute)
    return seen
