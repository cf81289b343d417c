"""Exercise 3: never trust a frame.

chat/consumers.py calls `parse_frame(text_data, bytes_data, max_bytes)` for every frame a client
sends, and `RateLimiter.allow()` just before. Whatever a client sends, the only exception that may
leave parse_frame is `Rejected(code, detail)`: the consumer then sends the detail as JSON and closes
with the code. Any other exception crashes the consumer (close 1011) and a traceback lands in the log.

Close codes (chat/protocol.py): 4400 bad message, 4413 too large, 4429 rate limited."""

import json
import time

from pydantic import BaseModel, ValidationError

from chat.protocol import BAD_MESSAGE, Rejected


class ChatIn(BaseModel):
    # TODO: describe exactly one shape: {"type": "chat", "text": "1..500 characters"}, nothing else.
    message: str
    room: str


# --8<-- [start:starter]
def parse_frame(text_data: str | None, bytes_data: bytes | None, max_bytes: int) -> ChatIn:
    content = json.loads(text_data)
    try:
        return ChatIn(**content)
    except ValidationError as error:
        raise Rejected(BAD_MESSAGE, error.errors())
# --8<-- [end:starter]


class RateLimiter:
    """A token bucket: `burst` messages at once, then `per_second` on average."""

    def __init__(self, burst: int, per_second: float, clock=time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock

    def allow(self) -> bool:
        # TODO: spend a token if there is one; tokens come back at `per_second`, up to `burst`.
        return True
