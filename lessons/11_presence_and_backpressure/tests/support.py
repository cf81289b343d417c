"""What lesson 11's test modules share (imported as `support`; fixtures live in conftest.py)."""

import secrets


def name(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(3)}"
