"""Count the words in many files on a process pool, with whatever start method you are given.

`word_counts(paths, mp_context)` returns {path: number of words}. Everything handed to a process
pool (the function and its arguments) is *pickled* and sent to another process through a pipe, so
it must be picklable: a function must be importable by name, and data must be plain values.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing.context import BaseContext


# --8<-- [start:word_counts]
def count_words(path: str) -> int:
    # Top level of an importable module: pickled as "ex03_pickling.count_words", found again by a
    # spawned worker that imports this file. The worker opens the file itself: only the path travels.
    with open(path, encoding="utf-8") as file:
        return len(file.read().split())


def word_counts(paths: list[str], mp_context: BaseContext | None = None) -> dict[str, int]:
    with ProcessPoolExecutor(max_workers=2, mp_context=mp_context) as pool:
        return dict(zip(paths, pool.map(count_words, paths)))
# --8<-- [end:word_counts]


if __name__ == "__main__":
    import multiprocessing
    import sys

    print(word_counts(sys.argv[1:] or [__file__], multiprocessing.get_context("spawn")))
