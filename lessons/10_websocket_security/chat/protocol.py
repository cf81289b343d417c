"""The close codes of the chat protocol, and the exception that carries one.

WebSocket close codes 4000-4999 are free for applications. These follow the "4000 + HTTP status"
convention, so 4401 reads as "401 Unauthorized" in any browser console."""

# --8<-- [start:codes]
BAD_MESSAGE = 4400  # not JSON, binary, or not the shape ChatIn describes
UNAUTHENTICATED = 4401  # no user: no session, no ticket, or a used/expired ticket
FORBIDDEN = 4403  # this user may not enter this room (or the room does not exist)
TOO_LARGE = 4413  # the frame is bigger than WS_MAX_MESSAGE_BYTES
RATE_LIMITED = 4429  # more messages than the per-connection token bucket allows
# --8<-- [end:codes]

REASONS = {
    BAD_MESSAGE: "bad message",
    UNAUTHENTICATED: "unauthenticated",
    FORBIDDEN: "forbidden",
    TOO_LARGE: "message too large",
    RATE_LIMITED: "rate limited",
}


class Rejected(Exception):
    """Raised to refuse a frame or a connection; the consumer sends `detail`, then closes with `code`."""

    def __init__(self, code: int, detail: object = None) -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail if detail is not None else REASONS.get(code, "rejected")
