"""What lesson 06's test modules share (imported as `support`; fixtures live in conftest.py): random
books and people, and requests whose crashes become a sentence about the learner's own line."""

from __future__ import annotations

import random
import string
import traceback
from pathlib import Path

from awaitlings.testing import fail, target_root

PRICING_DELAY = 0.1  # seconds per price request. Short, so that the check answers fast; a timed test measures
# again (up to 3 times) when a run lands over the halfway bar, which a busy machine can cause.

WORDS = (
    "async quiet river lantern orbit maple copper signal velvet harbor ember cobalt meadow prism falcon "
    "tundra saffron glacier willow beacon cinder thistle marble raven juniper comet"
).split()


def random_title(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in rng.sample(WORDS, 3)) + f" {rng.randint(2, 99)}"


def random_isbn(rng: random.Random) -> str:
    return "978" + "".join(rng.choices(string.digits, k=10))


def random_name(rng: random.Random) -> str:
    first = rng.choice(["Ada", "Grace", "Alan", "Guido", "Barbara", "Linus", "Margaret", "Ken", "Radia"])
    return f"{first} {rng.choice(WORDS).capitalize()}{rng.randint(1, 999)}"


def _learner_frame(error: BaseException) -> traceback.FrameSummary | None:
    root = target_root().resolve()
    frames = []
    for frame in traceback.extract_tb(error.__traceback__):
        try:
            rel = Path(frame.filename).resolve().relative_to(root)
        except ValueError:
            continue
        if rel.parts and rel.parts[0] != "tests":
            frames.append(frame)
    return frames[-1] if frames else None


def explain_view_error(what: str, error: BaseException) -> str:
    frame = _learner_frame(error)
    where = ""
    if frame:
        rel = Path(frame.filename).resolve().relative_to(target_root().resolve())
        where = f" at {rel} line {frame.lineno}: `{(frame.line or '').strip()}`"
    name = type(error).__name__
    if name == "SynchronousOnlyOperation":
        line = (frame.line or "") if frame else ""
        if ".user" in line:
            why = (
                "`request.user` is lazy: the first time you touch it Django loads the session and the user "
                "with the sync ORM. In async code, `await request.auser()` instead."
            )
        elif ".objects." in line or "get_object_or_404" in line:
            why = "That is a sync ORM call. Inside `async def` use the async API: aget, acreate, async for, ..."
        else:
            why = (
                "Nothing on that line looks like a query, so it is probably a lazy relation such as "
                "`book.author`: the related row is fetched on first access, with the sync ORM. Load it "
                "together with the book (`select_related`)."
            )
        return f"{what} raised SynchronousOnlyOperation{where}. {why}"
    return f"{what} raised {name} ({error}){where}."


async def call(client, method: str, path: str, **kwargs):
    """`client.get(...)` etc., with an exception from the view turned into a learner-facing sentence."""
    what = f"{method.upper()} {path}"
    try:
        return await getattr(client, method)(path, **kwargs)
    except Exception as error:  # noqa: BLE001 - the view's crash is the learner's to read
        fail(explain_view_error(what, error))


def json_of(response, what: str) -> dict:
    if response.status_code >= 500:
        fail(f"{what} answered {response.status_code}: {response.content[:300].decode(errors='replace')}")
    try:
        return response.json()
    except ValueError:
        fail(f"{what} should answer JSON, but sent {response.get('Content-Type')}: {response.content[:200]!r}")
