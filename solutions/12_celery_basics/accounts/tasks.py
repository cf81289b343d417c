"""Exercise 2: the welcome mail, sent by a worker instead of inside the request."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.core.mail import send_mail


# --8<-- [start:task]
@shared_task  # bound to whichever app is current: config's, since config/__init__.py creates it
def send_welcome_mail(user_id: int) -> str:
    # An id travels as JSON and is read fresh here; a User object can't be serialized, and would be stale.
    user = get_user_model().objects.get(pk=user_id)
    send_mail(f"Welcome, {user.username}!", f"Hello {user.username}, glad you're here.", None, [user.email])
    return user.email
# --8<-- [end:task]


# --8<-- [start:later]
def welcome_later(user_id: int, seconds: float):
    # The message goes to the broker now; the worker holds it and runs it when the countdown is over.
    return send_welcome_mail.apply_async(args=[user_id], countdown=seconds)


def welcome_at(user_id: int, when):
    return send_welcome_mail.apply_async(args=[user_id], eta=when)
# --8<-- [end:later]
