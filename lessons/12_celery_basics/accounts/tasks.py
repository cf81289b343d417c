"""Exercise 2: the welcome mail, sent by a worker instead of inside the request.

The version below is the blog post's idea done the quick way: a plain function that takes the User
object, and a "later" that sleeps. Turn them into a Celery task and real scheduling.
"""

import time

from django.core.mail import send_mail


# TODO: make this a Celery task that any app can use (`@shared_task`, imported from celery).
# TODO: take the user's id, not the User: arguments travel to the worker as JSON, and a model instance
#       can't (and would be stale by the time the worker runs). Load the user in the task.
def send_welcome_mail(user):
    """Send "Welcome, <username>!" to the user's address; return the address."""
    send_mail(f"Welcome, {user.username}!", f"Hello {user.username}, glad you're here.", None, [user.email])
    return user.email


def welcome_later(user_id, seconds):
    """Send the welcome mail `seconds` from now, and return its AsyncResult at once."""
    # TODO: don't sleep in the caller: ask Celery to run the task later (`apply_async` with `countdown`).
    time.sleep(seconds)
    return send_welcome_mail(user_id)


def welcome_at(user_id, when):
    """Send the welcome mail at the aware datetime `when`, and return its AsyncResult at once."""
    # TODO: the same, at a given moment (`eta`).
    return None
