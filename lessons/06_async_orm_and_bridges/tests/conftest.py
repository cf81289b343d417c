"""Fixtures for lesson 06: the price service, random books, a query counter, and a request helper
that turns a crash inside a view into a sentence about the learner's own line (support.py, shared by
the test modules)."""

from __future__ import annotations

import random

import pytest
from awaitlings.testing import ServerProcess
from support import PRICING_DELAY


@pytest.fixture(scope="session")
def pricing_url():
    """The price service (upstream.py) on a free loopback port, for the whole session."""
    with ServerProcess(
        ["{python}", "-m", "uvicorn", "upstream:app", "--port", "{port}", "--log-level", "warning"],
        env={"PRICING_DELAY": str(PRICING_DELAY)},
    ) as server:
        yield server.url


@pytest.fixture
def pricing(pricing_url, settings):
    settings.PRICING_URL = pricing_url
    return pricing_url


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
