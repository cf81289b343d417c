"""ex03: a bounded asyncio.Queue between a producer and consumers: backpressure, order, clean stop."""

import asyncio
import random
import secrets
import time

from awaitlings.testing import Gauge, fail, load, need


class Source:
    """An async iterator of jobs that records, at every pull, how far ahead of the handlers it got."""

    def __init__(self, n: int, done: list) -> None:
        self.jobs = [secrets.token_hex(3) for _ in range(n)]
        self.done = done
        self.pulled = 0
        self.worst_lead = 0

    def __aiter__(self):
        return self._generate()

    async def _generate(self):
        for job in self.jobs:
            self.pulled += 1
            self.worst_lead = max(self.worst_lead, self.pulled - len(self.done))
            yield job
            await asyncio.sleep(0)  # a real source (a cursor, a socket) yields to the loop now and then


def make_handler(gauge: Gauge, done: list, fail_on=None, slow_on=None):
    async def handle(job):
        with gauge:
            if job == slow_on:  # a job a pipeline that stops at the failure never starts
                await asyncio.sleep(0.3)
            else:
                await asyncio.sleep(random.uniform(0.005, 0.02))
        if job == fail_on:
            raise ValueError(f"cannot handle {job}")
        done.append(job)
        return job.upper()

    return handle


def pipeline():
    return need(load("ex03_pipeline"), "run_pipeline", "coroutine function")


def tasks_left():
    me = asyncio.current_task()
    return [
        t
        for t in asyncio.all_tasks()
        if t is not me and not t.done()
        # asyncio closes an abandoned async generator (our source) in a task of its own: not the learner's
        and "async_generator" not in type(t.get_coro()).__name__
    ]


async def test_when_consumers_are_slow_then_the_producer_waits(within):
    run_pipeline = pipeline()
    workers, maxsize = random.choice([2, 3]), random.choice([2, 4])
    done, gauge = [], Gauge()
    source = Source(24, done)
    got = await within(10, run_pipeline(source, make_handler(gauge, done), workers=workers, maxsize=maxsize), "run_pipeline")
    want = [job.upper() for job in source.jobs]
    if got is None or list(got) != want:
        fail(f"run_pipeline should return every job's result in the order the jobs came ({len(want)} results).")
    allowed = maxsize + workers + 1  # in the queue + in the consumers' hands + the one being put
    if source.worst_lead > allowed:
        fail(
            f"The producer pulled {source.worst_lead} jobs more than had been handled (queue maxsize={maxsize}, "
            f"workers={workers}: at most {allowed} should be in the pipeline). Nothing held it back: use "
            "asyncio.Queue(maxsize=maxsize) and `await queue.put(...)`, which waits while the queue is full."
        )


async def test_when_jobs_are_handled_then_exactly_workers_run_at_once_and_all_tasks_finish(within):
    run_pipeline = pipeline()
    workers = random.choice([2, 3, 4])
    done, gauge = [], Gauge()
    source = Source(20, done)
    started = time.perf_counter()
    got = await within(10, run_pipeline(source, make_handler(gauge, done), workers=workers, maxsize=3), "run_pipeline")
    elapsed = time.perf_counter() - started
    if got is None or sorted(got) != sorted(job.upper() for job in source.jobs):
        fail("run_pipeline should return one result per job.")
    if gauge.peak > workers:
        fail(f"{gauge.peak} jobs were handled at once with workers={workers}: only the consumer tasks may call handle().")
    if gauge.peak < 2:
        fail(
            f"run_pipeline ran sequentially: {len(source.jobs)} jobs took {elapsed:.2f} s, one at a time. Start "
            f"{workers} consumer tasks that take jobs from the queue."
        )
    left = tasks_left()
    if left:
        fail(
            f"run_pipeline returned but {len(left)} task(s) are still running (for example consumers waiting on "
            "an empty queue forever). Tell every consumer to stop (one stop signal each) and wait for them."
        )


async def test_when_a_job_fails_then_the_error_comes_out_and_nothing_hangs():
    run_pipeline = pipeline()
    done, gauge = [], Gauge()
    source = Source(25, done)
    bad = source.jobs[7]
    try:
        async with asyncio.timeout(5):
            # The last job is slow: started at once with every other job (nothing stops the pipeline), it is
            # still running after the failure whatever the order the others finished in.
            handle = make_handler(gauge, done, fail_on=bad, slow_on=source.jobs[-1])
            await run_pipeline(source, handle, workers=3, maxsize=3)
    except TimeoutError:
        fail(
            f"run_pipeline hung after handle({bad!r}) raised: a consumer died and the rest of the pipeline waits "
            "for it forever. Run the producer and consumers in an asyncio.TaskGroup, which cancels the other "
            "tasks and re-raises when one fails."
        )
    except ValueError:
        pass  # re-raised as is: fine
    except BaseExceptionGroup as group:
        if group.subgroup(ValueError) is None:
            raise
    else:
        fail(f"handle({bad!r}) raised ValueError, but run_pipeline returned normally: the error was lost.")
    await asyncio.sleep(0)
    left = tasks_left()
    if left:
        fail(f"After the failure {len(left)} pipeline task(s) were still running: cancel them (a TaskGroup does).")
