"""Fixtures for lesson 10: users, rooms and session cookies.

Every test runs its consumers in-process with awaitlings.testing's `ws` clients (channels'
WebsocketCommunicator: the same ASGI messages a server would deliver), against an in-memory test
database."""

import secrets

import pytest


@pytest.fixture(scope="session")
def django_db_use_migrations() -> bool:
    """The test database is made from the models (pytest-django's --no-migrations): about 0.15 s sooner
    than replaying the migrations, in each pytest process of a check. No exercise touches a model or a
    migration; that the migrations match the models is test_examples' business (and `serve.py`, the
    mini-project the examples drive, migrates for real)."""
    return False


@pytest.fixture(autouse=True)
def _fresh_layer(fresh_channel_layer):
    """Each test gets its own in-memory layer: queues belong to one event loop."""


def random_name(prefix: str) -> str:
    return f"{prefix}{secrets.token_hex(3)}"


@pytest.fixture
def make_user(transactional_db):
    async def make(**fields):
        from django.contrib.auth import get_user_model

        fields.setdefault("username", random_name("user"))
        # No password: hashing one costs ~0.3 s, and these users log in by session or ticket.
        return await get_user_model().objects.acreate(**fields)

    return make


@pytest.fixture
def make_room(transactional_db):
    async def make(*, public=True, members=()):
        from chat.models import Room

        room = await Room.objects.acreate(slug=random_name("room-"), is_public=public)
        for member in members:
            await room.members.aadd(member)
        return room

    return make


@pytest.fixture
def session_cookie(transactional_db):
    async def cookie_for(user) -> tuple[bytes, bytes]:
        from django.conf import settings
        from django.test import AsyncClient

        client = AsyncClient()
        await client.aforce_login(user)
        value = client.cookies[settings.SESSION_COOKIE_NAME].value
        return (b"cookie", f"{settings.SESSION_COOKIE_NAME}={value}".encode())

    return cookie_for
