"""Course-owned: what else happens when someone signs up (here: a billing call that takes a moment)."""

import time

PLANS = {"free", "pro"}
BILLING_DELAY = 0.15  # seconds: the billing service is slow, and the sign-up transaction waits for it


def setup_workspace(user, plan: str) -> None:
    if plan not in PLANS:
        raise ValueError(f"unknown plan {plan!r}")
    time.sleep(BILLING_DELAY)
    user.first_name = user.first_name or user.username.title()
    user.save(update_fields=["first_name"])
