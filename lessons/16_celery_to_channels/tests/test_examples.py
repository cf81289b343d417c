"""The lesson's measured facts, on real processes: the seed's group name, async_to_sync inside a loop,
the in-memory layer that never reaches a worker, what a client sees when the channel layer's Redis
goes down, and the progress bar in a real browser (headless Chromium), live and on its polling fallback."""

import asyncio
import json
import time
from types import SimpleNamespace

import pytest
from asgiref.sync import sync_to_async
from awaitlings.testing import ServerProcess
from awaitlings.testing.celery import wait_result

UVICORN = ["{python}", "-m", "uvicorn", "config.asgi:application", "--port", "{port}", "--lifespan", "off",
           "--log-level", "warning", "--timeout-graceful-shutdown", "0"]


# --8<-- [start:seed_group]
async def test_the_seeds_group_name_is_refused_by_channels():
    from channels.layers import InMemoryChannelLayer

    layer = InMemoryChannelLayer()
    with pytest.raises(TypeError, match="only ASCII alphanumerics, hyphens, underscores, or periods"):
        await layer.group_add("user:42", await layer.new_channel())  # the seed's f"user:{id}"
    await layer.group_add("user.42", await layer.new_channel())  # fine
# --8<-- [end:seed_group]


# --8<-- [start:async_to_sync]
async def test_async_to_sync_inside_an_event_loop_raises():
    from asgiref.sync import async_to_sync
    from channels.layers import InMemoryChannelLayer

    layer = InMemoryChannelLayer()
    with pytest.raises(RuntimeError, match="cannot use AsyncToSync in the same thread as an async event loop"):
        async_to_sync(layer.group_send)("user.42", {"type": "notify", "data": {}})
    await layer.group_send("user.42", {"type": "notify", "data": {}})  # in async code: just await
# --8<-- [end:async_to_sync]


async def recv_json(ws, timeout: float) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


def test_the_status_url_reads_state_and_progress_from_one_moment(redis_url, monkeypatch):
    """The job finishes right after the view's first read of the result backend: the answer must still
    be one moment's (PROGRESS with its percent, or SUCCESS at 100), never a mix of two."""
    import uuid

    from celery.result import AsyncResult
    from django.test import Client

    task_id = str(uuid.uuid4())
    backend = AsyncResult(task_id).backend  # the one the view reads
    backend.store_result(task_id, {"percent": 40}, "PROGRESS")
    read = backend.get_task_meta

    def read_then_finish(*args, **kwargs):
        meta = read(*args, **kwargs)
        backend.store_result(task_id, {"rows": 5, "total": 30}, "SUCCESS")
        return meta

    monkeypatch.setattr(backend, "get_task_meta", read_then_finish)
    status = Client().get(f"/api/reports/{task_id}/").json()
    assert (status["state"], status["percent"]) in {("PROGRESS", 40), ("SUCCESS", 100)}, status


# --8<-- [start:in_memory]
@pytest.mark.django_db(transaction=True)
async def test_the_in_memory_layer_never_reaches_a_worker(celery_workers, sign_in, server, redis_url):
    """Server and worker both on InMemoryChannelLayer: the task's push succeeds and nobody hears it.
    The same push through the Redis layer (the `server` fixture and its worker) arrives."""
    import websockets
    from awaitlings.testing.celery import worker_env
    from realtime.tasks import ping_user

    ana, cookie = await sync_to_async(sign_in)("ana")
    memory = {**worker_env(redis_url, django_db=True), "CHANNEL_LAYER": "memory"}
    worker = await sync_to_async(celery_workers.start, thread_sensitive=False)(
        queues=["memory"], name="memory", env=memory)
    memory_server = await sync_to_async(ServerProcess(UVICORN, env=memory).__enter__, thread_sensitive=False)()
    try:
        for srv, queue, heard in ((memory_server, "memory", False), (server, "celery", True)):
            async with websockets.connect(f"ws://127.0.0.1:{srv.port}/ws/notify/", origin=srv.url,
                                          additional_headers={"Cookie": cookie}) as ws:
                result = ping_user.apply_async((ana.pk, {"event": "hello"}), queue=queue)
                await sync_to_async(wait_result, thread_sensitive=False)(result, worker, timeout=5)
                assert result.successful()  # no error anywhere...
                try:
                    got = await recv_json(ws, timeout=1.0)
                except TimeoutError:
                    got = None
                assert (got == {"event": "hello"}) is heard, (srv, got)  # ...and, in memory, no message
    finally:
        memory_server.__exit__(None, None, None)
# --8<-- [end:in_memory]


@pytest.fixture(scope="module")
def rig(request, redis_url):
    """A stack of its own: a broker Redis, a channel-layer Redis a test can stop, a worker and uvicorn."""
    from awaitlings.testing.celery import CeleryWorker, worker_env
    from awaitlings.testing.redis_server import RedisServer

    request.getfixturevalue("django_db_setup")
    broker, layer = RedisServer().start(), RedisServer().start()
    env = {**worker_env(broker.url, django_db=True), "CHANNELS_REDIS_URL": layer.url, "REPORT_STEP_SECONDS": "0.05"}
    worker = CeleryWorker("config", concurrency=2, name="rig", env=env).start()
    server = ServerProcess(UVICORN, env=env).start()
    try:
        worker.wait_ready()
        server.wait_ready()
        yield SimpleNamespace(broker=broker, layer=layer, worker=worker, server=server)
    finally:
        server.stop()
        worker.stop(grace=0.1)
        worker.close()
        broker.stop()
        layer.stop()


@pytest.fixture
def layer_up(rig):
    rig.layer.start()
    yield
    rig.layer.start()


# --8<-- [start:outage]
@pytest.mark.django_db(transaction=True)
async def test_when_the_layer_goes_down_the_socket_closes_and_the_status_url_carries_on(rig, layer_up, sign_in):
    import httpx
    import websockets

    ana, cookie = await sync_to_async(sign_in)("ana")
    url, headers = f"ws://127.0.0.1:{rig.server.port}/ws/notify/", {"Cookie": cookie}
    async with websockets.connect(url, origin=rig.server.url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"action": "start", "steps": 20}))
        accepted = await recv_json(ws, 2)
        assert (await recv_json(ws, 2))["event"] == "progress"
        rig.layer.stop()  # the channel layer's Redis dies mid-job; the broker lives on
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                await recv_json(ws, 2)
    # The consumer died with the layer (redis' ConnectionError in its receive loop), and uvicorn dropped
    # the connection without a close frame: a browser's close event says 1006, "abnormal closure".
    code = closed.value.rcvd.code if closed.value.rcvd else 1006
    assert code in (1006, 1011), code
    async with httpx.AsyncClient(base_url=rig.server.url, headers=headers) as http:
        for _ in range(100):  # what the page does now: poll the status URL
            status = (await http.get(accepted["status_url"])).json()
            if status["state"] == "SUCCESS":
                break
            await asyncio.sleep(0.05)
    assert status["percent"] == 100 and status["result"]["rows"] == 20, status
    rig.layer.start()  # back, empty: a new socket joins its group again and hears the next job
    async with websockets.connect(url, origin=rig.server.url, additional_headers=headers) as ws:
        await ws.send(json.dumps({"action": "start", "steps": 2}))
        events = [(await recv_json(ws, 3))["event"] for _ in range(4)]
    assert events == ["accepted", "progress", "progress", "done"], events
# --8<-- [end:outage]


RECORD_BAR = """() => {
  window.bar = []; window.states = [];
  const bar = document.getElementById('bar'), state = document.getElementById('state');
  new MutationObserver(() => window.bar.push([performance.now(), Number(bar.value)]))
    .observe(bar, {attributes: true, attributeFilter: ['value']});
  new MutationObserver(() => window.states.push(state.textContent))
    .observe(state, {childList: true, characterData: true, subtree: true});
}"""


def run_job(page, steps: int) -> None:
    page.fill("#steps", str(steps))
    page.evaluate("() => { window.bar = []; window.states = []; }")
    page.click("#start")


# No django_db mark: Playwright's sync API runs an event loop in this thread, where the database flush
# would refuse to run. The page's guest accounts are rows the server writes to the run's test database.
def test_the_progress_bar_moves_live_and_falls_back_to_polling_when_the_layer_dies(rig, layer_up, browser_context):
    page = browser_context.new_page()  # a fresh context of the session's (warm) browser
    try:
        page.goto(f"{rig.server.url}/", timeout=10_000)  # a guest account and its session cookie
        page.wait_for_function("document.getElementById('live').textContent === 'live'", timeout=5000, polling=50)
        page.evaluate(RECORD_BAR)

        # 1. Live: 20 steps of 50 ms, every percent pushed by the worker as it happens.
        run_job(page, 20)
        page.wait_for_function("document.getElementById('state').textContent === 'done'", timeout=8000, polling=50)
        bar = page.evaluate("window.bar")
        values = [v for _, v in bar]
        assert values == sorted(values) and values[-1] == 100, values
        live_steps = [v for v in values if 0 < v < 100]
        assert len(live_steps) >= 10, f"the bar should move in many steps, it went {values}"
        assert bar[-1][0] - bar[0][0] > 0.5 * 19 * 50, "the steps should arrive over the job's second, not at once"
        assert '"rows":20' in page.text_content("#result").replace(" ", "")

        # 2. The channel layer dies mid-job: the page says so, polls, and still reaches 100 %.
        run_job(page, 30)
        page.wait_for_function("Number(document.getElementById('bar').value) > 0", timeout=5000, polling=20)
        rig.layer.stop()
        # The label says so when the socket closes; a second later the page tries to reconnect and it says
        # "connecting…" again, so it is read in the page at the moment of the change, not after the job.
        page.wait_for_function("document.getElementById('live').className === 'polling' && "
                               "document.getElementById('live').textContent.includes('live updates lost')",
                               timeout=3000, polling=20)
        page.wait_for_function("document.getElementById('state').textContent === 'done'", timeout=8000, polling=50)
        assert page.evaluate("Number(document.getElementById('bar').value)") == 100
        states = page.evaluate("window.states")
        assert any("polled" in s for s in states), f"the page should have polled the status URL: {states}"

        # 3. Redis is back: the page reconnects by itself.
        rig.layer.start()
        page.wait_for_function("document.getElementById('live').textContent === 'live'", timeout=5000, polling=50)
    finally:
        page.close()
