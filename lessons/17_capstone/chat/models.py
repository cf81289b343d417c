"""Chat messages, saved by the consumer through the async ORM and checked by the moderation task."""

from django.conf import settings
from django.db import models


class Message(models.Model):
    project = models.ForeignKey("teams.Project", on_delete=models.CASCADE, related_name="messages")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    flagged = models.BooleanField(default=False)  # set by chat.tasks.moderate_message on the default queue

    class Meta:
        ordering = ["created_at", "id"]
