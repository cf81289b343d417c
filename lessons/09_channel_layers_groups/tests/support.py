"""What lesson 09's test modules share (imported as `support`; fixtures live in conftest.py)."""

import random
import string


def room_name(prefix: str = "room") -> str:
    return prefix + "-" + "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
