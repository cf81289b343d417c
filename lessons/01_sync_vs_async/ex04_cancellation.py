"""Exercise 4: a heartbeat that always stops.

`run_with_heartbeat(job, beat, interval)` awaits `job()` and returns its result. Meanwhile a
background task calls `beat()` every `interval` seconds, so a watcher can see the job is alive.
However the job ends (a result, an exception, or the caller cancelling us), the heartbeat must
stop before we return, and the way the job ended must reach the caller unchanged."""

import asyncio


async def heartbeat(beat, interval):
    while True:
        beat()
        await asyncio.sleep(interval)


async def run_with_heartbeat(job, beat, interval=0.02):
    # TODO: keep a reference to this task, and stop it on every way out of this function.
    asyncio.create_task(heartbeat(beat, interval))
    try:
        return await job()
    except asyncio.CancelledError:
        # TODO: the caller asked us to stop, and this turns their request into a normal return.
        return None


async def main():
    async def job():
        await asyncio.sleep(0.35)
        return "report ready"

    print(await run_with_heartbeat(job, lambda: print("still alive"), interval=0.1))
    await asyncio.sleep(0.3)  # a heartbeat left running would go on printing here


if __name__ == "__main__":
    asyncio.run(main())
