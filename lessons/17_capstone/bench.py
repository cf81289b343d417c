"""The capstone under load, on loopback: 2 uvicorn servers × N WebSocket clients chatting in one room while
R PDF reports run on the reports worker. Every process is real: a private Redis, two servers, a worker per
queue. Bounded in count (--clients, --messages, --reports) and in time (--timeout).

    python bench.py                       # 2 × 50 clients, 3 messages each, 20 reports
    python bench.py --clients 10 --reports 4 --json

Reports: chat deliveries expected / received (lost = the difference; 0 while every connection's backlog
stays below the channel layer's capacity), the 202 latency, and the notify latency (POST → pdf_ready on
the user's socket), p50/p95; every report downloaded and checked to be a PDF."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def overlay_with_solutions(scratch: Path) -> Path:
    """This folder with the exercise files replaced by the reference solutions (symlinks), for --solutions."""
    solutions = HERE.parents[1] / "solutions" / HERE.name
    root = scratch / "overlay"
    root.mkdir()
    for item in HERE.iterdir():
        if item.name not in ("var", "__pycache__"):
            (root / item.name).symlink_to(solutions / item.name if (solutions / item.name).exists() else item)
    return root


def sessions(count: int) -> list[tuple[str, str]]:
    """(username, cookie) for user000..: sessions written straight into the database (a hundred
    password checks through the login form would be the bench's slowest part)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    csrf = secrets.token_hex(16)
    found = []
    for user in get_user_model().objects.filter(username__startswith="user").order_by("username")[:count]:
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.create()
        found.append((user.username, f"sessionid={store.session_key}; csrftoken={csrf}", csrf))
    return found


async def one_report_idle(port: int, person) -> tuple[float, float]:
    """One report while nothing else happens: (seconds to the 202, seconds to pdf_ready)."""
    import httpx
    import websockets

    _, cookie, csrf = person
    options = {"origin": f"http://127.0.0.1:{port}", "additional_headers": {"Cookie": cookie}}
    async with websockets.connect(f"ws://127.0.0.1:{port}/ws/notify/", **options) as notify, \
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"Cookie": cookie}) as http:
        await asyncio.sleep(0.2)
        figures = []
        for _ in range(3):  # the first pays for one-time set-up (broker connection, imports): not the measure
            started = time.perf_counter()
            answer = await http.post("/api/reports/", headers={"X-CSRFToken": csrf})
            accepted = time.perf_counter() - started
            assert answer.status_code == 202, answer.text
            while json.loads(await asyncio.wait_for(notify.recv(), 30)).get("event") != "pdf_ready":
                pass
            figures.append((accepted, time.perf_counter() - started))
        return min(figures[1:])


async def run_load(ports: list[int], people, messages: int, reports: int, spacing: float, timeout: float) -> dict:
    import httpx
    import websockets

    joined = asyncio.Barrier(len(people) + 1)
    sent_total = len(people) * messages
    received: dict[str, int] = {}
    refused: dict[str, int] = {}  # messages the cooldown turned down (frames bunched up under load)
    last_frame = [time.perf_counter()]
    ready_at: dict[str, float] = {}
    posted: dict[str, tuple[float, float]] = {}
    pdf_ok: dict[str, bool] = {}

    async def chatter(index: int, username: str, cookie: str, csrf: str) -> None:
        port = ports[index % len(ports)]
        options = {"origin": f"http://127.0.0.1:{port}", "additional_headers": {"Cookie": cookie},
                   "open_timeout": 20, "max_queue": None}
        wants_report = index < reports
        async with websockets.connect(f"ws://127.0.0.1:{port}/ws/chat/apollo/", **options) as chat:
            hello = json.loads(await chat.recv())
            assert hello["type"] == "hello", hello
            notify = await websockets.connect(f"ws://127.0.0.1:{port}/ws/notify/", **options) if wants_report else None
            received[username] = refused[username] = 0

            async def listen() -> None:
                async for frame in chat:
                    kind = json.loads(frame).get("type")
                    last_frame[0] = time.perf_counter()
                    if kind == "chat":
                        received[username] += 1
                    elif kind == "cooldown":
                        refused[username] += 1

            listener = asyncio.create_task(listen())
            await joined.wait()  # everyone is in the room before the first message
            if wants_report:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers={"Cookie": cookie}) as http:
                    started = time.perf_counter()
                    answer = await http.post("/api/reports/", headers={"X-CSRFToken": csrf})
                    posted[username] = (started, time.perf_counter())
                    assert answer.status_code == 202, answer.text
                    while True:
                        event = json.loads(await notify.recv())
                        if event.get("event") == "pdf_ready":
                            ready_at[username] = time.perf_counter()
                            break
                    pdf = await http.get(event["url"])
                    pdf_ok[username] = pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
                await notify.close()
            for n in range(messages):
                await asyncio.sleep(spacing * (0.5 if n == 0 else 1) + (index % 10) * 0.01)
                await chat.send(json.dumps({"message": f"{username} #{n}"}))
            sent_done.append(username)
            while len(sent_done) < len(people) or time.perf_counter() - last_frame[0] < 2.0:
                await asyncio.sleep(0.2)  # until everyone has sent and the room has been quiet for 2 s
            listener.cancel()

    idle = await one_report_idle(ports[0], people[-1])
    sent_done: list[str] = []
    started = time.perf_counter()
    tasks = [asyncio.create_task(chatter(i, *person)) for i, person in enumerate(people)]
    await asyncio.wait_for(joined.wait(), 60)
    load_started = time.perf_counter()
    done, pending = await asyncio.wait(tasks, timeout=timeout)
    for task in pending:
        task.cancel()
    errors = [repr(t.exception()) for t in done if t.exception()]
    accepted = sent_total - sum(refused.values())
    expected = accepted * len(people)
    got = sum(received.values())
    notify_latency = [ready_at[u] - posted[u][0] for u in ready_at]
    accept_latency = [b - a for a, b in posted.values()]
    return {
        "servers": len(ports), "clients": len(people), "messages_each": messages, "reports": reports,
        "chat_messages_sent": sent_total, "chat_refused_by_cooldown": sent_total - accepted,
        "chat_deliveries_expected": expected, "chat_deliveries_received": got, "chat_lost": expected - got,
        "reports_notified": len(ready_at), "reports_downloaded_as_pdf": sum(pdf_ok.values()),
        "accept_ms_p50": round(1000 * pct(accept_latency, 0.5), 1), "accept_ms_p95": round(1000 * pct(accept_latency, 0.95), 1),
        "notify_s_p50": round(pct(notify_latency, 0.5), 2), "notify_s_p95": round(pct(notify_latency, 0.95), 2),
        "notify_over_accept_p50": round(pct(notify_latency, 0.5) / max(pct(accept_latency, 0.5), 1e-6)),
        "idle_accept_ms": round(1000 * idle[0], 1), "idle_notify_s": round(idle[1], 2),
        "load_seconds": round(time.perf_counter() - load_started - 2.0, 1), "setup_seconds": round(load_started - started, 1),
        "errors": errors[:3], "unfinished_clients": len(pending),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50, help="WebSocket clients per server (2 servers)")
    parser.add_argument("--messages", type=int, default=3, help="chat messages each client sends")
    parser.add_argument("--reports", type=int, default=20, help="PDF reports asked for during the chat")
    parser.add_argument("--spacing", type=float, default=1.2, help="seconds between one client's messages")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds before the bench gives up")
    parser.add_argument("--solutions", action="store_true", help="serve the reference solutions, not your files")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    total = 2 * args.clients
    if not (1 <= args.clients <= 200 and 1 <= args.messages <= 20 and 0 <= args.reports <= min(total, 50)):
        parser.error("bounded: --clients 1..200, --messages 1..20, --reports 0..min(2×clients, 50)")

    scratch = Path(tempfile.mkdtemp(prefix="capstone-bench-"))
    from awaitlings.testing import ServerProcess
    from awaitlings.testing.celery import CeleryWorker
    from awaitlings.testing.redis_server import RedisServer

    redis = RedisServer(workdir=scratch).start()
    env = {"REDIS_URL": redis.url, "AWAITLINGS_SCRATCH": str(scratch), "CHAT_COOLDOWN_SECONDS": str(args.spacing / 2),
           "DJANGO_SETTINGS_MODULE": "config.settings"}
    root = overlay_with_solutions(scratch) if args.solutions else HERE
    os.environ.update(env)
    import django

    django.setup()
    from serve import prepare

    prepare(total)
    people = sessions(total)
    cmd = ["{python}", "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", "{port}",
           "--log-level", "warning", "--lifespan", "off", "--timeout-graceful-shutdown", "1"]
    processes = []
    try:
        for _ in range(2):
            processes.append(ServerProcess(cmd, cwd=root, env=env).start())
        processes.append(CeleryWorker("config", queues=["reports"], name="reports", concurrency=2, cwd=root, env=env).start())
        processes.append(CeleryWorker("config", queues=["default"], name="default", concurrency=1, cwd=root, env=env).start())
        for process in processes:
            process.wait_ready()
        result = asyncio.run(run_load([p.port for p in processes[:2]], people, args.messages, args.reports,
                                      args.spacing, args.timeout))
    except BaseException:
        for process in processes[:2]:
            print(process.output()[-1500:], file=sys.stderr)
        raise
    finally:
        for process in reversed(processes):
            process.stop()
        redis.stop()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"{result['servers']} servers × {args.clients} clients, {args.messages} messages each, "
              f"{args.reports} PDF reports at the same time ({result['load_seconds']} s of load)")
        print(f"  chat: {result['chat_deliveries_received']}/{result['chat_deliveries_expected']} deliveries, "
              f"{result['chat_lost']} lost ({result['chat_messages_sent']} sent, "
              f"{result['chat_refused_by_cooldown']} refused by the cooldown)")
        print(f"  reports: {result['reports_notified']}/{args.reports} notified, "
              f"{result['reports_downloaded_as_pdf']} downloaded as PDF")
        print(f"  idle: one report answered 202 in {result['idle_accept_ms']} ms, pdf_ready after {result['idle_notify_s']} s")
        print(f"  under load: 202 answered in {result['accept_ms_p50']} ms (p50), {result['accept_ms_p95']} ms (p95)")
        print(f"  pdf_ready after {result['notify_s_p50']} s (p50), {result['notify_s_p95']} s (p95): "
              f"{result['notify_over_accept_p50']}× the 202")
        if result["errors"] or result["unfinished_clients"]:
            print(f"  problems: {result['unfinished_clients']} unfinished, {result['errors']}")
    ok = result["chat_lost"] == 0 and result["reports_downloaded_as_pdf"] == args.reports
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
