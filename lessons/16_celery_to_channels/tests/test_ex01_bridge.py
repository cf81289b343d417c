"""Exercise 1: group_for() names a group Channels accepts; notify_user() (sync, in a worker process) and
anotify_user() (async) put {"type": "notify", "data": payload} in that user's group, and nobody else's."""

import inspect
import random

from awaitlings.testing import fail, load, need
from awaitlings.testing.celery import wait_result


def bridge_group(user_id: int) -> str:
    """group_for(user_id), or one sentence about why Channels refuses it."""
    group_for = need(load("realtime.bridge"), "group_for", "function")
    from channels.layers import BaseChannelLayer

    name = group_for(user_id)
    try:
        BaseChannelLayer().require_valid_group_name(name)
    except TypeError as error:
        fail(f"group_for({user_id}) returned {name!r}, and Channels refuses it: \"{error}\" "
             "Every group_add and group_send with that name raises TypeError.")
    return name


def test_group_names_are_ones_channels_accepts_one_per_user():
    names = {uid: bridge_group(uid) for uid in (7, 70, 1234567)}
    if len(set(names.values())) != len(names):
        fail(f"Different users must get different groups; group_for gave {names}.")
    if not all(str(uid) in name for uid, name in names.items()):
        fail(f"Each group should carry the user's id, so any process can compute it: group_for gave {names}.")


async def test_a_task_on_a_worker_process_pushes_to_the_users_group_only(celery_worker, listen, new_user_id):
    from realtime.tasks import ping_user

    ana, ben = new_user_id(), new_user_id()
    ana_tab, ben_tab = await listen(bridge_group(ana)), await listen(bridge_group(ben))
    payload = {"event": "hello", "n": random.randint(1, 10**6)}
    result = ping_user.delay(ana, payload)
    from asgiref.sync import sync_to_async

    await sync_to_async(wait_result, thread_sensitive=False)(result, celery_worker, timeout=5, propagate=False)
    if result.failed():
        fail(f"notify_user({ana}, ...) raised in the worker process: {result.result!r}.")
    _, message = await ana_tab.get("the worker's push to ana's group", timeout=2)
    want = {"type": "notify", "data": payload}
    if message != want:
        fail(f"The group should receive {want}, the message a consumer's notify handler gets; it received {message}.")
    if not await ben_tab.nothing_within(0.05):
        fail("A push to ana also reached ben's group.")


async def test_anotify_user_pushes_from_inside_an_event_loop(listen, new_user_id):
    bridge = load("realtime.bridge")
    anotify = need(bridge, "anotify_user", "coroutine function")
    uid = new_user_id()
    tab = await listen(bridge_group(uid))
    payload = {"event": "hi", "n": random.randint(1, 10**6)}
    try:
        await anotify(uid, payload)
    except RuntimeError as error:
        fail(f"anotify_user() raised RuntimeError inside the event loop: {error}")
    _, message = await tab.get("anotify_user's push")
    if message != {"type": "notify", "data": payload}:
        fail(f"anotify_user should send {{'type': 'notify', 'data': payload}}; the group received {message}.")
    source = inspect.getsource(anotify)
    if "async_to_sync" in source:
        fail("anotify_user worked, but it uses async_to_sync: from async code, await the layer directly.")
