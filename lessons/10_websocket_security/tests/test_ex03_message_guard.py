"""Exercise 3: parse_frame() turns every bad frame into Rejected(code); RateLimiter is a token bucket."""

import json
import random

import pytest
from awaitlings.testing import fail, load, need

BAD = 4400
TOO_LARGE = 4413
RATE_LIMITED = 4429


def guard():
    return load("ex03_message_guard")


def rejection(frame_text, frame_bytes, max_bytes):
    """The Rejected a frame causes, or a failure naming what happened instead."""
    from chat.protocol import Rejected

    parse_frame = need(guard(), "parse_frame", "function")
    shown = repr(frame_text if frame_bytes is None else frame_bytes)[:60]
    try:
        parsed = parse_frame(frame_text, frame_bytes, max_bytes)
    except Rejected as rejected:
        return rejected
    except Exception as error:  # noqa: BLE001
        fail(
            f"parse_frame({shown}) raised {type(error).__name__}: {error}. Only Rejected may leave it; "
            "anything else crashes the consumer (close 1011) for that client."
        )
    fail(f"parse_frame({shown}) accepted the frame and returned {parsed!r}; it should raise Rejected.")


def expect_bad_message(cases):
    for label, text, data in cases:
        rejected = rejection(text, data, 4096)
        assert rejected.code == BAD, f"{label} should be refused with {BAD}, got {rejected.code}."
        try:
            json.dumps(rejected.detail)
        except (TypeError, ValueError) as error:
            fail(f"For {label}, Rejected.detail can't be sent as JSON ({error}); keep plain strings and lists.")


def test_frames_that_are_not_a_json_object_are_rejected_with_4400():
    expect_bad_message(
        [
            ("a binary frame", None, b"\x00\x01binary"),
            ("text that is not JSON", "{not json", None),
            ("a JSON list", "[1, 2, 3]", None),
            ("a JSON string", '"chat"', None),
        ]
    )


def test_objects_of_the_wrong_shape_are_rejected_with_4400():
    # Precondition: the course's ChatIn model already refuses wrong shapes; this counts once
    # parse_frame itself turns a frame that is not JSON into Rejected too.
    expect_bad_message([("text that is not JSON", "{not json", None)])
    expect_bad_message(
        [
            ("a message without text", '{"type": "chat"}', None),
            ("a message of an unknown type", '{"type": "shout", "text": "hi"}', None),
            ("a message whose text is a number", '{"type": "chat", "text": 42}', None),
            ("an empty text", '{"type": "chat", "text": ""}', None),
            ("a text of 501 characters", json.dumps({"type": "chat", "text": "x" * 501}), None),
            ("a message that picks its own room", '{"type": "chat", "text": "hi", "room": "staff"}', None),
        ]
    )


def test_a_valid_message_is_parsed():
    parse_frame = need(guard(), "parse_frame", "function")
    text = random.choice(["hello", "안녕하세요", "ça va?"]) + f" #{random.randint(1, 999)}"
    try:
        parsed = parse_frame(json.dumps({"type": "chat", "text": text}), None, 4096)
    except Exception as error:  # noqa: BLE001
        fail(f"A valid message was refused: {type(error).__name__}: {error}")
    assert getattr(parsed, "text", None) == text, f"Expected a ChatIn with text {text!r}, got {parsed!r}."


def test_size_is_counted_in_bytes_before_parsing():
    parse_frame = need(guard(), "parse_frame", "function")
    limit = random.randint(120, 400)
    # Korean: 3 bytes a character, so the characters fit but the bytes don't.
    body = json.dumps({"type": "chat", "text": "가" * (limit // 3)}, ensure_ascii=False)
    assert len(body) <= limit < len(body.encode())
    rejected = rejection(body, None, limit)
    assert rejected.code == TOO_LARGE, (
        f"A {len(body.encode())}-byte frame ({len(body)} characters) with max_bytes={limit} should get "
        f"{TOO_LARGE}, got {rejected.code}. Count UTF-8 bytes, not characters."
    )
    garbage = "{" * (limit + 1)  # too big AND not JSON: the size check comes first
    assert rejection(garbage, None, limit).code == TOO_LARGE, (
        "An oversized frame of garbage should get 4413: check the size before you parse."
    )
    fits = json.dumps({"type": "chat", "text": "a" * (limit - 30)})
    try:
        parse_frame(fits, None, limit)
    except Exception as error:  # noqa: BLE001
        fail(f"A {len(fits)}-byte frame under max_bytes={limit} was refused: {type(error).__name__}: {error}")


class FakeClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def limiter(burst, rate, clock):
    cls = need(guard(), "RateLimiter", "class")
    return cls(burst, rate, clock=clock)


def test_the_bucket_allows_a_burst_then_refuses():
    clock = FakeClock()
    burst = random.randint(3, 9)
    bucket = limiter(burst, 2.0, clock)
    got = [bucket.allow() for _ in range(burst + 3)]
    assert got == [True] * burst + [False] * 3, (
        f"With burst={burst} and no time passing, expected {burst} allowed then refusals; got {got}."
    )


def test_tokens_come_back_at_the_steady_rate_and_never_above_the_burst():
    clock = FakeClock()
    burst, rate = random.randint(3, 6), random.choice([2.0, 4.0, 5.0])
    bucket = limiter(burst, rate, clock)
    for _ in range(burst):
        bucket.allow()
    clock.now += 1.0 / rate * 1.01
    assert bucket.allow() is True, f"After 1/{rate:g} s one token should be back (rate {rate:g}/s)."
    assert bucket.allow() is False, "Only one token should have come back, but two messages were allowed."
    clock.now += 3600  # an idle hour
    got = sum(bucket.allow() for _ in range(burst * 3))
    assert got == burst, f"After an idle hour the bucket should hold {burst} tokens (the burst), but {got} were allowed."


def test_a_counter_reset_every_second_is_not_enough():
    clock = FakeClock()
    clock.now = 1000.95
    burst = random.randint(4, 8)
    bucket = limiter(burst, 1.0, clock)
    first = sum(bucket.allow() for _ in range(burst))
    clock.now = 1001.0  # a new second starts 50 ms later
    second = sum(bucket.allow() for _ in range(burst))
    assert first == burst and second <= 1, (
        f"{first + second} messages were allowed within 50 ms with burst={burst} and 1/s: a window that "
        "resets each second lets a client send twice the burst at the boundary. Refill by elapsed time."
    )


# --- through the real consumer -------------------------------------------------------------------


@pytest.fixture
def chat_app():
    """The course's ChatConsumer with room checks out of the way (that is exercise 4)."""
    from channels.routing import URLRouter
    from django.urls import path

    from chat.consumers import ChatConsumer

    guard()  # import it now: a first import inside the event loop would count as blocking it

    class OpenChatConsumer(ChatConsumer):
        async def check_access(self):
            return None

    router = URLRouter([path("ws/chat/<slug:room>/", OpenChatConsumer.as_asgi())])

    def as_user(user):
        async def app(scope, receive, send):
            return await router(dict(scope, user=user), receive, send)

        return app

    return as_user


async def join(ws, app, room, label):
    client = ws.client(app, f"/ws/chat/{room}/", label=label)
    await client.connect()
    await client.expect_frame("a hello frame")
    return client


async def test_a_client_sending_garbage_is_closed_and_the_others_keep_chatting(
    chat_app, make_user, ws
):
    alice, mallory = await make_user(), await make_user()
    room = f"room-{random.randint(1000, 9999)}"
    good = await join(ws, chat_app(alice), room, f"{alice.username} (well-behaved)")
    for label, send in [
        ("binary", lambda c: c.send_bytes(b"\xff\x00")),
        ("non-JSON", lambda c: c.send_text("{oops")),
        ("a JSON list", lambda c: c.send_text("[]")),
        ("the wrong schema", lambda c: c.send_json({"msg": "hi"})),
    ]:
        bad = await join(ws, chat_app(mallory), room, f"{mallory.username} (sending {label})")
        await send(bad)
        frames = await bad.expect_close(BAD, f"it sent {label}")
        if not any(isinstance(f, dict) and f.get("type") == "error" for f in frames):
            fail(f"Before closing, the client sending {label} should get an error frame saying why.")
    text = f"still here {random.randint(1, 10**6)}"
    await good.send_json({"type": "chat", "text": text})
    echo = await good.expect_frame("its own message back from the room")
    assert echo.get("text") == text, f"Expected the room to carry {text!r}, got {echo!r}."


async def test_an_oversized_frame_closes_with_4413(chat_app, make_user, ws, settings):
    settings.WS_MAX_MESSAGE_BYTES = random.randint(200, 400)
    user = await make_user()
    client = await join(ws, chat_app(user), "big", "A client sending a huge frame")
    await client.send_json({"type": "chat", "text": "a" * settings.WS_MAX_MESSAGE_BYTES})
    await client.expect_close(TOO_LARGE, f"the frame is over WS_MAX_MESSAGE_BYTES={settings.WS_MAX_MESSAGE_BYTES}")


async def test_a_flood_closes_with_4429_after_the_burst(chat_app, make_user, ws, settings):
    settings.WS_RATE_BURST = burst = random.randint(3, 7)
    settings.WS_RATE_PER_SECOND = 0.5
    user = await make_user()
    client = await join(ws, chat_app(user), "flood", "A flooding client")
    for i in range(burst + 1):
        await client.send_json({"type": "chat", "text": f"m{i}"})
    for i in range(burst):
        got = await client.expect_frame(f"message m{i} back (within the burst of {burst})")
        assert got.get("text") == f"m{i}", f"Expected m{i} back from the room, got {got!r}."
    await client.expect_close(RATE_LIMITED, f"it sent {burst + 1} messages at once with WS_RATE_BURST={burst}")
