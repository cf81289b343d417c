"""Rooms a user may join, and the one-time tickets a browser trades for a WebSocket connection."""

from django.conf import settings
from django.db import models


class Room(models.Model):
    slug = models.SlugField(unique=True)
    is_public = models.BooleanField(default=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="rooms")

    def __str__(self) -> str:
        return self.slug


class WsTicket(models.Model):
    """A random key the page fetches over HTTP (with its session) and puts in the WebSocket URL.

    It is useless after one connection or WS_TICKET_TTL seconds, so a copy in a proxy log is harmless."""

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ws_tickets")
    created_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
