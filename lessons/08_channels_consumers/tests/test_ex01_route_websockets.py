"""ex01: project/asgi.py sends WebSockets to Channels and HTTP to Django; realtime/routing.py maps paths."""

from awaitlings.testing import fail, load, need
from channels.testing import HttpCommunicator


def application():
    return need(load("project.asgi"), "application", "value")


async def test_a_websocket_to_ws_ping_is_accepted(ws):
    client = await ws.open(application(), "/ws/ping/")
    await client.receive("the welcome message")


async def test_a_websocket_to_ws_quotes_is_accepted(ws):
    await ws.open(application(), "/ws/quotes/")


async def test_http_requests_still_reach_django(ws):
    # The exercise itself first: WebSockets reach Channels (plain Django's asgi.py already serves HTTP).
    client = await ws.open(application(), "/ws/ping/")
    await client.receive("the welcome message")
    communicator = HttpCommunicator(application(), "GET", "/", headers=[(b"host", b"127.0.0.1")])
    try:
        response = await communicator.get_response(timeout=2)
    except Exception as error:  # noqa: BLE001
        fail(f"GET / crashed with {type(error).__name__}: {error}. HTTP should still go to Django.")
    body = response["body"].decode(errors="replace")
    if response["status"] != 200 or "<title>" not in body:
        fail(f"GET / should return the lesson page (200), got status {response['status']}.")
