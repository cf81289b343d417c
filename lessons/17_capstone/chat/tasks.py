"""Moderation on the `default` queue: the chat never waits for it, the room hears about a flag later."""

from celery import shared_task

from realtime.bridge import push_to_room

from .models import Message
from .moderation import banned_words_in


# --8<-- [start:moderate]
@shared_task
def moderate_message(message_id: int) -> list[str]:
    message = Message.objects.select_related("project").get(pk=message_id)
    words = banned_words_in(message.body)
    if words:
        Message.objects.filter(pk=message_id).update(flagged=True)
        push_to_room(message.project.slug, {"type": "flag", "id": message_id, "words": words})
    return words
# --8<-- [end:moderate]
