"""The course's own files for lesson 04 (not an exercise: runs under `awaitlings verify` and CI).

The exercise tests trust the polite server's counters, so the server itself is checked here."""

import asyncio

import httpx


async def test_polite_server_rejects_requests_beyond_its_limit(polite):
    polite.configure(limit=2, latency=0.1)
    async with httpx.AsyncClient(base_url=polite.url) as client:
        codes = [r.status_code for r in await asyncio.gather(*(client.get(f"/items/{i}") for i in range(1, 6)))]
    stats = polite.stats()
    assert codes.count(200) == 2 and codes.count(429) == 3, codes
    assert stats["peak"] == 2 and stats["rejected"] == 3, stats


async def test_polite_server_fails_flaky_items_then_serves_them_and_404s_missing_ones(polite):
    polite.configure(limit=4, latency=0.01, flaky={7: 2})
    async with httpx.AsyncClient(base_url=polite.url) as client:
        codes = [(await client.get("/items/7")).status_code for _ in range(3)]
        missing = await client.get("/items/10001")
        body = (await client.get("/items/7")).json()
    assert codes == [503, 503, 200], codes
    assert missing.status_code == 404
    assert body == polite.body(7)
    assert polite.stats()["attempts"] == {"7": 4, "10001": 1}


def test_fetch_demo_reports_a_round(polite, capsys):
    import fetch_demo

    polite.configure(limit=4, latency=0.01)
    fetch_demo.one_round(polite.url, count=6)
    out = capsys.readouterr().out
    assert "the ideal" in out and "most at once" in out, out
