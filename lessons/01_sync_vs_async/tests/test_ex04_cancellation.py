"""Exercise 4: run_with_heartbeat stops its heartbeat on every way out and lets cancellation through."""

import asyncio
import secrets

from awaitlings.testing import fail, load, need

INTERVAL = 0.01


def run_with_heartbeat():
    return need(load("ex04_cancellation"), "run_with_heartbeat", "coroutine function")


class HeartStopped(Exception):
    """Raised by beat() once a test has given up waiting, so even a heartbeat that ignores cancel() ends."""


class Heart:
    """Counts beats, records whether the job was cancelled, and notes the tasks still pending at the very
    moment run_with_heartbeat ended (before the event loop gets a chance to tidy up after it)."""

    def __init__(self, tasks_left):
        self.tasks_left = tasks_left
        self.left_behind = []
        self.beats = 0
        self.stopped = False
        self.job_cancelled = False
        self.token = secrets.token_hex(3)

    def beat(self):
        if self.stopped:
            raise HeartStopped("the test gave up waiting")
        self.beats += 1

    def job(self, seconds, error=None):
        async def job():
            try:
                await asyncio.sleep(seconds)
            except asyncio.CancelledError:
                self.job_cancelled = True
                raise
            if error:
                raise error
            return f"report {self.token}"

        return job

    def start(self, seconds, error=None):
        """run_with_heartbeat(job, beat, INTERVAL) in a task of its own, so the test can cancel it."""
        call = run_with_heartbeat()(self.job(seconds, error), self.beat, INTERVAL)
        return asyncio.create_task(self._observed(call, test=asyncio.current_task()))

    async def _observed(self, call, test):
        try:
            return await call
        finally:
            self.left_behind = self.tasks_left(ignore=(test,))

    async def finish(self, task, within=1.0):
        """Wait for the task to end. If it does not, stop the heart and fail with a clear message: a plain
        timeout could not help, since cancelling a task that swallows CancelledError does nothing."""
        await asyncio.wait({task}, timeout=within)
        if task.done():
            return task
        self.stopped = True
        task.cancel()
        await asyncio.wait({task}, timeout=0.5)
        fail(
            f"run_with_heartbeat did not finish within {within:g} s after its job ended. Is it awaiting the "
            "heartbeat without cancelling it first, or does the heartbeat catch CancelledError and carry on? "
            "A task that swallows CancelledError can't be stopped by cancel(), so awaiting it waits forever."
        )


async def expect_no_more_beats(heart, how):
    left = heart.left_behind
    if left:
        advice = (
            " cancel() only asks a task to stop; await the task to know it has stopped."
            if any("(cancelled," in task for task in left)
            else " Keep the task create_task gives you, and cancel it on the way out."
        )
        fail(f"After run_with_heartbeat {how}, a task was left behind: {'; '.join(left)}.{advice}")
    beats = heart.beats
    await asyncio.sleep(INTERVAL * 3)
    if heart.beats != beats:
        fail(f"After run_with_heartbeat {how}, the heartbeat went on beating ({heart.beats - beats} more beats).")


async def test_the_job_result_comes_back_the_heart_beats_meanwhile_and_stops_after(tasks_left):
    heart = Heart(tasks_left)
    task = await heart.finish(heart.start(0.05))
    got = task.result()
    if got != f"report {heart.token}":
        fail(f"run_with_heartbeat should return what job() returned ({f'report {heart.token}'!r}), got {got!r:.200}.")
    if heart.beats < 2:
        fail(f"During a 0.05 s job with interval={INTERVAL} the heart beat {heart.beats} time(s); expected several.")
    await expect_no_more_beats(heart, "returned")


async def test_when_the_job_fails_then_its_error_reaches_the_caller_and_the_heartbeat_stops(tasks_left):
    heart = Heart(tasks_left)
    error = LookupError(f"no such report {heart.token}")
    task = await heart.finish(heart.start(0.03, error))
    if task.cancelled():
        fail("job() raised LookupError, but run_with_heartbeat ended up cancelled instead of raising it.")
    raised = task.exception()
    if raised is None:
        fail(f"job() raised LookupError, but run_with_heartbeat returned {task.result()!r:.200}: the error should reach the caller.")
    if isinstance(raised, BaseExceptionGroup):
        fail(
            "run_with_heartbeat raised an ExceptionGroup wrapping the job's LookupError; the caller should get the "
            "job's own error, unchanged. (A TaskGroup wraps errors: here create_task with try/finally fits better.)"
        )
    if raised is not error:
        fail(f"run_with_heartbeat raised {raised!r:.200}; the caller should get the job's own LookupError, unchanged.")
    await expect_no_more_beats(heart, "raised the job's error")


async def test_when_the_caller_cancels_then_the_cancellation_goes_through(tasks_left):
    heart = Heart(tasks_left)
    task = heart.start(1.0)
    await asyncio.sleep(0.03)
    task.cancel()
    await heart.finish(task)
    if not task.cancelled():
        how = f"raised {task.exception()!r:.200}" if task.exception() else f"returned {task.result()!r:.200}"
        fail(
            f"The caller cancelled run_with_heartbeat, but it {how}. Swallowing CancelledError turns "
            "`task.cancel()` into a silent no-op for the caller: clean up, then let it propagate."
        )
    if not heart.job_cancelled:
        fail("run_with_heartbeat was cancelled, but the job it was awaiting never saw the cancellation.")
    await expect_no_more_beats(heart, "was cancelled")
