"""Exercise 3: sign up a user and send the welcome mail, without a race."""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.tasks import send_welcome_mail
from accounts.workspace import setup_workspace


# --8<-- [start:sign_up]
def sign_up(username: str, email: str, plan: str = "free"):
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, email=email)
        # Sent after COMMIT (and dropped on rollback): the worker can only see committed rows.
        send_welcome_mail.delay_on_commit(user.id)
        setup_workspace(user, plan)
    return user
# --8<-- [end:sign_up]
