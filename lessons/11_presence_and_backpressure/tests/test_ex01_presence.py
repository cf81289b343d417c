"""Exercise 1: Presence keeps who is online in Redis, and forgets users who stop beating."""

import math
import random

from awaitlings.testing import fail, load, need

from support import name


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0 + random.randint(0, 10**6)

    def __call__(self):
        return self.now


def presence(redis, ttl, clock):
    cls = need(load("ex01_presence"), "Presence", "class")
    return cls(redis, ttl=ttl, clock=clock)


async def call(what, coro):
    try:
        return await coro
    except Exception as error:  # noqa: BLE001
        fail(f"{what} raised {type(error).__name__}: {error}")


async def test_users_who_beat_are_online_sorted_by_name(redis):
    # Precondition (here and below): a set of names that never expires passes these tests by accident;
    # they count once a user who stops beating drops off.
    await a_user_who_stops_beating_drops_off(redis)
    clock = Clock()
    p = presence(redis, 10.0, clock)
    room, other = name("room"), name("room")
    users = [name("user") for _ in range(random.randint(2, 5))]
    for user in users:
        await call("beat()", p.beat(room, user))
    await call("beat()", p.beat(other, "someone-else"))
    got = await call("online()", p.online(room))
    assert got == sorted(users), f"Expected online({room!r}) == {sorted(users)}, got {got}."


async def test_a_user_who_stops_beating_drops_off_after_ttl(redis):
    await a_user_who_stops_beating_drops_off(redis)


async def a_user_who_stops_beating_drops_off(redis):
    clock = Clock()
    ttl = random.choice([5.0, 10.0, 30.0])
    p = presence(redis, ttl, clock)
    room, ghost, alive = name("room"), name("ghost"), name("alive")
    await call("beat()", p.beat(room, ghost))
    await call("beat()", p.beat(room, alive))
    clock.now += ttl * 0.6
    await call("beat()", p.beat(room, alive))  # alive keeps beating; ghost's server was killed
    clock.now += ttl * 0.6
    got = await call("online()", p.online(room))
    if ghost in got:
        fail(
            f"{ghost} last beat {ttl * 1.2:g} s ago (ttl {ttl:g} s) and never left (its server process was "
            f"killed, so disconnect() never ran), but online() still lists them: {got}. A ghost forever."
        )
    assert got == [alive], f"Expected only {alive} online, got {got}."


async def test_heartbeats_keep_a_user_online_for_as_long_as_they_come(redis):
    clock = Clock()
    ttl = random.choice([4.0, 8.0])
    await a_user_who_stops_beating_drops_off(redis)
    p = presence(redis, ttl, clock)
    room, user = name("room"), name("user")
    for beat in range(6):
        await call("beat()", p.beat(room, user))
        clock.now += ttl * 0.9
        got = await call("online()", p.online(room))
        assert got == [user], (
            f"{user} beats every {ttl * 0.9:g} s (ttl {ttl:g} s) and should stay online; after beat {beat + 1} "
            f"online() gave {got}."
        )


async def test_leave_removes_the_user_at_once(redis):
    await a_user_who_stops_beating_drops_off(redis)
    clock = Clock()
    p = presence(redis, 10.0, clock)
    room, stays, goes = name("room"), name("stays"), name("goes")
    await call("beat()", p.beat(room, stays))
    await call("beat()", p.beat(room, goes))
    await call("leave()", p.leave(room, goes))
    got = await call("online()", p.online(room))
    assert got == [stays], f"After {goes} left, expected [{stays!r}], got {got}."


async def test_the_room_key_expires_by_itself(redis):
    clock = Clock()
    ttl = float(random.randint(5, 40))
    p = presence(redis, ttl, clock)
    room = name("room")
    await call("beat()", p.beat(room, name("user")))
    keys = [key async for key in redis.scan_iter(match=f"*{room}*")]
    if not keys:
        fail(f"After beat() in room {room!r} no Redis key contains the room name.")
    for key in keys:
        expires_in = await redis.ttl(key)
        if expires_in < 0:
            fail(
                f"The key {key.decode()} never expires (TTL {expires_in}). If every server dies, the room's "
                f"presence stays in Redis forever: give it an expiry a little over ttl ({ttl:g} s)."
            )
        assert expires_in <= math.ceil(ttl) + 5, (
            f"The key {key.decode()} expires in {expires_in} s; with ttl={ttl:g} s keep it close to ttl."
        )
