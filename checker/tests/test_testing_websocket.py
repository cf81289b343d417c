"""The one WebSocket test client of the Channels lessons (awaitlings.testing.websocket), against a bare
ASGI app in-process and a real `websockets` server: every failure is a sentence, crashes show at once."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from awaitlings.testing import ExerciseProblem, WebSocketClient, WebSocketClients, free_port


async def echo_app(scope, receive, send):
    """Accepts (or refuses /refuse), echoes JSON frames; {"crash": 1} raises, {"close": code} closes."""
    await receive()  # websocket.connect
    if scope["path"] == "/refuse":
        await send({"type": "websocket.close", "code": 4403})
        return
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] == "websocket.disconnect":
            return
        data = json.loads(message["text"])
        if data.get("crash"):
            raise ValueError("bad frame")
        if data.get("close"):
            await send({"type": "websocket.close", "code": data["close"]})
            return
        await send({"type": "websocket.send", "text": json.dumps({"echo": data})})


@pytest.fixture
async def ws():
    clients = WebSocketClients()
    yield clients
    await clients.close_all()


async def test_an_in_process_client_sends_and_receives_json(ws):
    client = await ws.open(echo_app, "/echo")
    await client.send({"n": 1})
    assert await client.receive("the echo") == {"echo": {"n": 1}}
    await client.send_json({"n": 2})
    assert await client.expect_frame("the second echo") == {"echo": {"n": 2}}
    for n in (3, 4, 5):
        await client.send({"n": n})
    assert await client.wait_for("the echo of 5", lambda f: f["echo"]["n"] == 5) == {"echo": {"n": 5}}
    assert client.seen[-1] == {"echo": {"n": 5}} and await client.nothing(0.05)


async def test_a_refused_handshake_is_a_result_for_connect_and_a_failure_for_open(ws):
    assert await ws.client(echo_app, "/refuse").connect() == (False, 4403)
    with pytest.raises(ExerciseProblem, match=r"^/refuse: the handshake was refused \(close code 4403\)\.$"):
        await ws.open(echo_app, "/refuse")


async def test_a_crash_is_reported_at_once_not_after_the_timeout(ws):
    client = await ws.open(echo_app, "/echo")
    await client.send({"crash": 1})
    started = time.perf_counter()
    assert await client.next(timeout=5) == ("crash", "ValueError: bad frame")
    assert time.perf_counter() - started < 1
    with pytest.raises(ExerciseProblem, match="the client expected a pong, but the consumer crashed with"):
        other = await ws.open(echo_app, "/echo")
        await other.send({"crash": 1})
        await other.expect_frame("a pong", timeout=5)


async def test_silence_and_closes_are_explained(ws):
    client = ws.client(echo_app, "/echo", label="ana")
    await client.open()
    with pytest.raises(ExerciseProblem, match=r"^/echo: waited 0.05 s for the welcome, but nothing arrived\.$"):
        await client.receive("the welcome", timeout=0.05)
    other = await ws.open(echo_app, "/echo")
    await other.send({"n": 1})
    await other.send({"close": 4429})
    assert await other.expect_close(4429, "it flooded") == [{"echo": {"n": 1}}]
    third = ws.client(echo_app, "/echo", label="ben")
    await third.open()
    await third.send({"close": 1000})
    with pytest.raises(ExerciseProblem, match="^ben waited for a frame, but the connection was closed with 1000"):
        await third.wait_for("a frame", lambda f: True)


async def test_a_client_of_a_real_server_answers_the_same_calls():
    import websockets

    async def echo(socket):
        async for text in socket:
            await socket.send(json.dumps({"echo": json.loads(text)}))

    port = free_port()
    async with websockets.serve(echo, "127.0.0.1", port):
        client = await WebSocketClient.to_server(f"ws://127.0.0.1:{port}/x")
        await client.send({"n": 1})
        assert await client.receive("the echo") == {"echo": {"n": 1}}
        assert await client.next(0.05) == ("timeout", None)
        await client.close()
    with pytest.raises(ExerciseProblem, match=f"^Could not open ws://127.0.0.1:{port}/x"):
        await WebSocketClient.to_server(f"ws://127.0.0.1:{port}/x")
    await asyncio.sleep(0)
