"""The course's own files for lesson 02 (not an exercise: runs under `awaitlings verify` and CI)."""

from concurrent.futures import ThreadPoolExecutor


def test_slow_server_counts_requests_in_flight(server, paths):
    from blocking_http import fetch

    wanted = paths(3)
    with ThreadPoolExecutor(3) as pool:
        bodies = list(pool.map(fetch, [server.url(p, delay=0.1) for p in wanted]))
    assert bodies == [server.body_for(p) for p in wanted]
    assert server.peak == 3, server.peak
    assert sorted(server.served) == sorted(wanted)


def test_bench_jobs_do_what_they_claim():
    import bench

    assert bench.cpu_job(0, n=14) == sum(i % 7 for i in range(14))
    assert len(bench.hash_job(0)) == 64
