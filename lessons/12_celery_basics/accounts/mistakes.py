"""Course-owned: the sign-up as it is often first written, kept to show (and test) its race."""

from django.contrib.auth import get_user_model
from django.db import transaction

from accounts.workspace import setup_workspace


# --8<-- [start:racy]
def sign_up_racy(username: str, email: str, task):
    with transaction.atomic():
        user = get_user_model().objects.create_user(username=username, email=email)
        result = task.delay(user.id)  # on the broker now; the row is committed only at the end of the block
        setup_workspace(user, "free")  # the slow billing call: an idle worker looks for the user meanwhile
    return user, result
# --8<-- [end:racy]
