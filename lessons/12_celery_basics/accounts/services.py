"""Exercise 3: sign up a user and send the welcome mail, without a race.

sign_up() runs in one transaction: the user, then the workspace (a slow billing call). The mail task
is sent in the middle, so a fast worker looks for the user before the transaction has committed, and
gets User.DoesNotExist. And if the workspace fails, the transaction rolls back, but the mail is out.
"""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.tasks import send_welcome_mail
from accounts.workspace import setup_workspace


def sign_up(username: str, email: str, plan: str = "free"):
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, email=email)
        # TODO: send the task only once the transaction has committed (and never if it rolls back).
        send_welcome_mail.delay(user.id)
        setup_workspace(user, plan)
    return user
