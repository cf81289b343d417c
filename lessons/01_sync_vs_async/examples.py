"""The code shown in the lesson text (README.md includes its marked regions), and measured in the notebook.

Run it to see the difference for yourself: `python examples.py`. tests/test_examples.py checks that
every claim the lesson makes about this code holds."""

import asyncio
import time

from fake_upstream import FakeUpstream, FetchError


# --8<-- [start:sync]
def make_tea_sync(name, seconds):
    print(f"{name}: start")
    time.sleep(seconds)  # the whole thread waits here; nothing else in this program runs meanwhile
    print(f"{name}: done")
    return name
# --8<-- [end:sync]


# --8<-- [start:coroutine]
async def make_tea(name, seconds):
    print(f"{name}: start")
    await asyncio.sleep(seconds)  # make_tea pauses here; the event loop runs other tasks meanwhile
    print(f"{name}: done")
    return name
# --8<-- [end:coroutine]


# --8<-- [start:forgot_await]
def forgot_await():
    pot = make_tea("green", 0.1)  # no await: nothing runs, this only creates a coroutine object
    print(type(pot).__name__)  # -> coroutine
    pot.close()  # (otherwise Python warns "coroutine 'make_tea' was never awaited")
    return pot
# --8<-- [end:forgot_await]


# --8<-- [start:one_by_one]
async def one_by_one(seconds=0.1):
    await make_tea("green", seconds)
    await make_tea("black", seconds)  # starts only after green is done: 2 x seconds in total
# --8<-- [end:one_by_one]


# --8<-- [start:gather]
async def together(seconds=0.1):
    # Both start at once; the answers come back in argument order. About 1 x seconds in total.
    return await asyncio.gather(make_tea("green", seconds), make_tea("black", seconds))
# --8<-- [end:gather]


# --8<-- [start:blocking]
async def make_tea_blocking(name, seconds):
    time.sleep(seconds)  # DON'T: blocks the event loop itself, so every other task waits too
    return name


async def together_but_blocked(seconds=0.1):
    # gather can't help: each time.sleep holds the only thread. About 2 x seconds in total.
    return await asyncio.gather(make_tea_blocking("green", seconds), make_tea_blocking("black", seconds))
# --8<-- [end:blocking]


# --8<-- [start:taskgroup]
async def dashboard(upstream, urls):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(upstream.fetch(url)) for url in urls]
    # Here every task has finished. If one had failed, the others would have been cancelled and the
    # block would have raised an ExceptionGroup holding the failure.
    return [task.result() for task in tasks]


async def dashboard_or_message(upstream, urls):
    try:
        return await dashboard(upstream, urls)
    except* FetchError as group:  # except* picks the FetchErrors out of the group
        failures = group.exceptions  # (`return` is not allowed inside an except* block)
    return [f"unavailable: {error}" for error in failures]
# --8<-- [end:taskgroup]


# --8<-- [start:gather_failure]
async def gather_dashboard(upstream, urls):
    # One failure raises here at once, but the other fetches keep running, unobserved.
    return await asyncio.gather(*(upstream.fetch(url) for url in urls))
# --8<-- [end:gather_failure]


# --8<-- [start:create_task]
background_tasks = set()


def start_in_background(coroutine):
    task = asyncio.create_task(coroutine)  # scheduled now; runs at this task's next await
    background_tasks.add(task)  # the loop keeps only a weak reference: keep a strong one
    task.add_done_callback(background_tasks.discard)  # and drop it once the task is done
    return task
# --8<-- [end:create_task]


# --8<-- [start:timeout]
async def tea_within(limit, seconds):
    try:
        async with asyncio.timeout(limit):
            return await make_tea("oolong", seconds)
    except TimeoutError:  # at the deadline, make_tea was cancelled; the block then raised TimeoutError
        return None
# --8<-- [end:timeout]


# --8<-- [start:swallow]
async def poll_stubbornly(interval, log, rounds=5):
    for _ in range(rounds):
        try:
            await asyncio.sleep(interval)
        except asyncio.CancelledError:
            log.append("cancel ignored")  # DON'T: the caller's cancel() silently does nothing
# --8<-- [end:swallow]


# --8<-- [start:cleanup]
async def poll(interval, log):
    try:
        while True:
            await asyncio.sleep(interval)
            log.append("poll")
    finally:
        log.append("closed")  # clean up here: runs on a return, an error and a cancellation alike
# --8<-- [end:cleanup]


# --8<-- [start:cancel]
async def start_and_stop(log):
    poller = asyncio.create_task(poll(0.01, log))
    await asyncio.sleep(0.035)
    poller.cancel()  # only a request: CancelledError is raised inside poll at its current await
    try:
        await poller  # wait until it has really stopped
    except asyncio.CancelledError:
        pass  # fine here: we cancelled it ourselves
    return poller.cancelled()
# --8<-- [end:cancel]


# --8<-- [start:old_style]
def old_style_main():
    loop = asyncio.get_event_loop()  # DON'T: deprecated without a running loop (3.12); an error in 3.14
    return loop.run_until_complete(make_tea("sencha", 0.01))
# --8<-- [end:old_style]


async def compare(seconds=0.1):
    """Time each way of making two teas."""
    timings = {}
    for name, way in [("one by one", one_by_one), ("together", together), ("together, blocked", together_but_blocked)]:
        started = time.perf_counter()
        await way(seconds)
        timings[name] = time.perf_counter() - started
    return timings


async def main():
    for name, elapsed in (await compare()).items():
        print(f"{name:>18}: {elapsed:.2f} s")
    upstream = FakeUpstream(delay=0.3, delays={"/prices": 0.05}, failing={"/prices"})
    print(await dashboard_or_message(upstream, ["/menu", "/prices", "/stock"]))
    print("cancelled when /prices failed:", upstream.cancelled)


# --8<-- [start:run]
if __name__ == "__main__":
    asyncio.run(main())  # creates an event loop, runs main() to the end, then closes the loop
# --8<-- [end:run]
