"""Exercise 3: never trust a frame.

chat/consumers.py calls `parse_frame(text_data, bytes_data, max_bytes)` for every frame a client
sends, and `RateLimiter.allow()` just before. Whatever a client sends, the only exception that may
leave parse_frame is `Rejected(code, detail)`: the consumer then sends the detail as JSON and closes
with the code. Any other exception crashes the consumer (close 1011) and a traceback lands in the log.

Close codes (chat/protocol.py): 4400 bad message, 4413 too large, 4429 rate limited."""

import json
import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chat.protocol import BAD_MESSAGE, TOO_LARGE, Rejected


# --8<-- [start:schema]
class ChatIn(BaseModel):
    # Unknown keys are an error, not silently dropped: a client sending "room" believes it can
    # choose the room, and should learn that it can't. The room comes from the URL it was admitted to.
    model_config = ConfigDict(extra="forbid", strict=True)

    type: Literal["chat"]
    text: str = Field(min_length=1, max_length=500)
# --8<-- [end:schema]


# --8<-- [start:parse]
def parse_frame(text_data: str | None, bytes_data: bytes | None, max_bytes: int) -> ChatIn:
    if text_data is None:
        raise Rejected(BAD_MESSAGE, "binary frames are not accepted: send JSON text")
    # Count bytes, not characters ("안녕" is 2 characters, 6 bytes), and before parsing:
    # json.loads on a huge frame is exactly the CPU an attacker wants you to spend.
    if len(text_data.encode("utf-8")) > max_bytes:
        raise Rejected(TOO_LARGE, f"frames are limited to {max_bytes} bytes")
    try:
        content = json.loads(text_data)
    except ValueError:  # JSONDecodeError, and UnicodeError on lone surrogates
        raise Rejected(BAD_MESSAGE, "frames must be JSON") from None
    try:
        # model_validate, not ChatIn(**content): a JSON list or number is not a mapping and would
        # raise TypeError, which is not a ValidationError.
        return ChatIn.model_validate(content)
    except ValidationError as error:
        # errors() may hold exception objects in "ctx" (not JSON) and echoes the input back:
        # send only where and what.
        problems = error.errors(include_url=False, include_context=False, include_input=False)
        raise Rejected(BAD_MESSAGE, [{"loc": list(p["loc"]), "msg": p["msg"]} for p in problems]) from None
# --8<-- [end:parse]


# --8<-- [start:bucket]
class RateLimiter:
    """A token bucket: `burst` messages at once, then `per_second` on average."""

    def __init__(self, burst: int, per_second: float, clock=time.monotonic) -> None:
        self.burst = burst
        self.per_second = per_second
        self.clock = clock
        self.tokens = float(burst)
        self.updated = clock()

    def allow(self) -> bool:
        now = self.clock()
        # Refill for the time that passed, never above `burst`: an idle hour does not buy a flood.
        # (A counter reset every second would allow 2 x burst across a second boundary.)
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_second)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False
# --8<-- [end:bucket]
