"""Count the words in many files on a process pool, with whatever start method you are given.

`word_counts(paths, mp_context)` returns {path: number of words}. Everything handed to a process
pool (the function and its arguments) is *pickled* and sent to another process through a pipe, so
it must be picklable: a function must be importable by name, and data must be plain values.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext


# --8<-- [start:word_counts]
def word_counts(paths: list[str], mp_context: BaseContext | None = None) -> dict[str, int]:
    # TODO: this fails twice. A lambda can't be pickled (it has no importable name), and neither can
    #       an open file (it is a handle that only means something in this process). Send paths to a
    #       top-level function that opens and counts the file itself.
    files = [open(path, encoding="utf-8") for path in paths]
    with ProcessPoolExecutor(max_workers=2, mp_context=mp_context) as pool:
        counts = pool.map(lambda file: len(file.read().split()), files)
        return dict(zip(paths, counts))
# --8<-- [end:word_counts]


if __name__ == "__main__":
    import multiprocessing
    import sys

    print(word_counts(sys.argv[1:] or [__file__], multiprocessing.get_context("spawn")))
