"""What lesson 10's test modules share (imported as `support`; fixtures live in conftest.py)."""

ALLOWED_ORIGIN = (b"origin", b"http://127.0.0.1:8000")  # the Origin header of a page on this site
