"""asyncio debug mode at the price asyncio itself intends.

Debug mode remembers where every future, task and callback was created, so that its reports can say
"created at views.py:12". For callbacks asyncio keeps the last 10 frames and reads no source
(`asyncio.format_helpers.extract_stack`), but the C Future (and so every Task) calls the full
`traceback.extract_stack()`: the whole stack, 60-odd frames under pytest and Django, each file checked
on disk and each source line read, for every future. In a lesson's tests that is a tenth of a second
of CPU per exercise, spent on traces nobody prints.

`install()` hands the C module a lean `extract_stack` while it is first imported (it looks the
function up once, then), and puts the original back for everyone else. Reports read the same: the
lines are read when a trace is printed, and only the 10 innermost frames are kept, as for callbacks."""

from __future__ import annotations

import itertools
import sys
import traceback

DEPTH = 10  # asyncio.constants.DEBUG_STACK_DEPTH


def extract_stack(f=None, limit=None) -> traceback.StackSummary:
    """traceback.extract_stack's result, for the innermost DEPTH frames, with lines read on demand."""
    if f is None:
        f = sys._getframe().f_back  # noqa: SLF001 - the frame that created the future
    stack = traceback.StackSummary()
    for frame, lineno in itertools.islice(traceback.walk_stack(f), limit or DEPTH):
        stack.append(traceback.FrameSummary(frame.f_code.co_filename, lineno, frame.f_code.co_name,
                                            lookup_line=False))
    stack.reverse()
    return stack


def install() -> bool:
    """Import asyncio (and its C accelerator) with the lean capture; False if it was already imported."""
    if "_asyncio" in sys.modules or "asyncio" in sys.modules:
        return False
    original = traceback.extract_stack
    traceback.extract_stack = extract_stack
    try:
        # asyncio, not _asyncio: the C module imports asyncio's Python half while it starts, which
        # imports _asyncio again; started directly it would end up with two states.
        import asyncio  # noqa: F401
    finally:
        traceback.extract_stack = original
    return "_asyncio" in sys.modules
