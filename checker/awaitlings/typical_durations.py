"""How long each exercise's tests typically take, on the starters and on the reference solutions.

A check splits a lesson's exercises over a few pytest processes, longest first onto the least loaded
one. It uses how long each exercise took at the learner's last check; before there is one (a fresh
clone's first check, and every `check --solutions`), it uses these figures, which
`checker/record_durations.py` measures. Without them, the first check of lesson 01 put its two slowest
exercises in one process and answered in 1.2 s instead of 0.8 s. A wrong or missing figure only costs
speed, never a result."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .targets import SOLUTIONS

FILE = Path(__file__).with_name("typical_durations.json")


@lru_cache(maxsize=1)
def _all() -> dict:
    try:
        return json.loads(FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def kind_of(target: str) -> str:
    """Which figures a check of `target` goes by (the learner's files count as starters: the first check
    of a lesson is of its starters)."""
    return "solutions" if target == SOLUTIONS else "starters"


def for_lesson(slug: str, target: str) -> dict[str, float]:
    """Exercise id -> typical seconds, for a check of `target`."""
    kind = kind_of(target)
    return {ex_id: float(times[kind]) for ex_id, times in _all().get(slug, {}).items()
            if isinstance(times, dict) and isinstance(times.get(kind), (int, float))}
