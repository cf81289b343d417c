"""Exercise 2: a periodic job runs once per slot, even with two beats sending it: an atomic claim in
Redis keyed by the job and its slot. Unit tests with a stopped clock, then two real beats."""

from __future__ import annotations

import random
import threading

from awaitlings.testing import fail, load, need

SLOT = 60.0
NOON = 1_796_000_400.0  # a slot start: a multiple of 60 s since the epoch


def _once():
    module = load("apps.common.once")
    return need(module, "claim"), need(module, "once_per_slot")


def _counted(once_per_slot, now: list[float], seconds: float = SLOT):
    calls = []

    @once_per_slot(seconds, clock=lambda: now[0])
    def job():
        calls.append(now[0])
        return "done"

    return job, calls


def test_a_slot_is_claimed_by_the_first_caller_only(runs):
    claim, _ = _once()
    first, second = claim("test.job", 7, 60), claim("test.job", 7, 60)
    if (first, second) != (True, False):
        fail(f"claim('test.job', 7, 60) twice should say True, then False (the slot is taken); it said {first}, "
             f"then {second}.")
    if claim("test.job", 8, 60) is not True:
        fail("After slot 7 was claimed, claim('test.job', 8, 60) should say True: slot 8 is another run.")
    if claim("other.job", 7, 60) is not True:
        fail("claim('other.job', 7, 60) should say True: another job's slot 7 is not test.job's.")
    keys = runs.client.keys("*test.job*")
    if not keys:
        fail("claim() should keep its claim in Redis (apps.common.store.redis_client()), where every worker "
             "process sees it; nothing with 'test.job' in its name is there.")
    if any(runs.client.ttl(key) < 0 for key in keys):
        fail("A claim should expire (SET ... EX): without a TTL, Redis keeps one key per job per slot forever.")


def test_sixteen_processes_claiming_one_slot_at_once_get_exactly_one_yes(runs):
    claim, _ = _once()
    gate = threading.Barrier(16)
    answers = []

    def race():
        gate.wait()
        answers.append(claim("race.job", 1, 60))

    threads = [threading.Thread(target=race) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    if answers.count(True) != 1:
        fail(f"16 callers claimed the same slot at the same moment and {answers.count(True)} of them got it; "
             "exactly one should. Checking first and writing after is two steps another caller fits between.")


def test_the_body_runs_once_per_slot_and_again_in_the_next_one(runs):
    _, once_per_slot = _once()
    now = [NOON + 0.01]
    job, calls = _counted(once_per_slot, now)
    results = [job(), job()]
    now[0] = NOON + 0.02
    results.append(job())
    if len(calls) != 1:
        fail(f"Three calls within one {SLOT:g}-second slot ran the job's body {len(calls)} times; it should run "
             "once (the first) and skip the others.")
    if results[0] != "done" or results[1:] != [None, None]:
        fail(f"The first call should return the job's result and the skipped ones None; they returned {results}.")
    now[0] = NOON + SLOT + 0.01
    job()
    if len(calls) != 2:
        fail(f"A call in the next slot ({SLOT:g} s later) should run the body again, but it ran {len(calls) - 1} "
             "times there. Is the slot part of the claim's key?")
    now[0] = NOON + 5 * SLOT + 0.01
    job()
    if len(calls) != 3:
        fail("A call five slots later should run the body again, but it didn't.")


def test_the_guarded_tasks_keep_their_names(runs):
    # Precondition: a decorator that guards nothing keeps the name by accident; this counts once the
    # body runs once per slot.
    _, once_per_slot = _once()
    now = [NOON + SLOT * random.randint(10, 10**6) + 0.01]  # a slot of its own, whatever the claims' keys
    job, calls = _counted(once_per_slot, now)
    job(), job(), job()
    if len(calls) != 1:
        fail(f"Three calls within one {SLOT:g}-second slot ran the job's body {len(calls)} times; it should run "
             "once (the first) and skip the others.")
    tasks = load("apps.housekeeping.tasks")
    got = tasks.cleanup_temp.name
    if got != "apps.housekeeping.tasks.cleanup_temp":
        fail(f"Decorated with once_per_slot, cleanup_temp is registered as {got!r}: the wrapper should keep the "
             "function's name (functools.wraps), or beat's entries point at a task no worker knows.")


# --8<-- [start:two_beats]
def test_two_real_beats_send_everything_twice_but_each_slot_runs_once(beats, runs, worker, slots, tick):
    load("apps.common.once")
    first, second = beats.start(count=2)  # two `celery -A config beat` processes, one broker
    for beat in (first, second):
        beat.wait_sent("tick-unguarded", count=4, timeout=10)
    for beat in (first, second):
        beat.stop()
    runs.drain(worker)

    control = runs.of("tick_unguarded")  # no guard: whatever beat sends runs
    guarded = runs.of("tick_guarded")  # the same job, with @once_per_slot
    ticks = len({slots(t) for t in control})
    if len(control) < 1.5 * ticks:
        fail(f"Two beats should have sent the control job about twice per tick; it ran {len(control)} times in "
             f"{ticks} ticks. (Are both beats running?)")
    per_slot = {}
    for t in guarded:
        per_slot[slots(t)] = per_slot.get(slots(t), 0) + 1
    doubled = sum(1 for n in per_slot.values() if n > 1)
    if doubled or len(guarded) > ticks + 1:
        fail(f"With two beats, the guarded job ran {len(guarded)} times in {ticks} ticks of {tick:g} s "
             f"({doubled} tick(s) ran it twice); the unguarded control ran {len(control)} times. Each slot should "
             "run once: the second copy should find the slot claimed.")
    if len(guarded) < ticks - 1:
        fail(f"The guarded job ran only {len(guarded)} times in {ticks} ticks: one run per slot is the goal, not "
             "fewer. Does a new slot get a new claim?")
# --8<-- [end:two_beats]
