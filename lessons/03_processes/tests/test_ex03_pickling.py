"""ex03: what crosses a process boundary must pickle: top-level functions and plain values, under spawn."""

import multiprocessing
import pickle
import random
from multiprocessing.context import SpawnContext, SpawnProcess

from awaitlings.testing import fail, load, need

WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa".split()


class CountingSpawnContext(SpawnContext):
    """The spawn start method, counting the worker processes a pool creates with it."""

    def __init__(self) -> None:
        super().__init__()
        self.created = 0

    def Process(self, *args, **kwargs):  # noqa: N802 - the name ProcessPoolExecutor calls
        self.created += 1
        return SpawnProcess(*args, **kwargs)  # a plain SpawnProcess: spawn pickles it for the child


def write_files(tmp_path, n: int) -> dict[str, int]:
    want = {}
    for i in range(n):
        count = random.randint(5, 400)
        path = tmp_path / f"text{i}.txt"
        lines = [" ".join(random.choices(WORDS, k=random.randint(1, 12))) for _ in range(count)]
        path.write_text("\n".join(lines), encoding="utf-8")
        want[str(path)] = sum(len(line.split()) for line in lines)
    return want


def explain_pickling(error: BaseException) -> None:
    text = str(error)
    if "TextIOWrapper" in text or "BufferedReader" in text:
        fail(
            f"An open file can't be sent to another process ({type(error).__name__}: {text}). A file object "
            "is a handle that only means something in the process that opened it: send the path, and "
            "let the worker open the file."
        )
    if "<lambda>" in text or "<locals>" in text or isinstance(error, pickle.PicklingError):
        fail(
            f"The pool could not pickle the function you gave it ({type(error).__name__}: {text}). Functions "
            "are pickled by their importable name, so a lambda or a function defined inside another "
            "function can't be sent: define the worker at the top level of ex03_pickling.py."
        )
    if "Can't get attribute" in text or "BrokenProcessPool" in type(error).__name__:
        fail(
            f"A spawned worker could not find your function ({type(error).__name__}: {text}). A spawned worker "
            "imports ex03_pickling.py by name; the worker must be defined at its top level, not under "
            "`if __name__ == \"__main__\":`."
        )
    raise error


def test_when_word_counts_runs_under_spawn_then_every_file_is_counted_by_worker_processes(tmp_path):
    word_counts = need(load("ex03_pickling"), "word_counts")
    want = write_files(tmp_path, random.randint(3, 5))
    context = CountingSpawnContext()
    try:
        got = word_counts(list(want), context)
    except (pickle.PicklingError, TypeError, AttributeError) as error:
        explain_pickling(error)
    except Exception as error:  # noqa: BLE001 - BrokenProcessPool and friends
        explain_pickling(error)
    if got is None:
        fail("word_counts returned None: it should return {path: number of words}.")
    if dict(got) != want:
        wrong = next(path for path in want if dict(got).get(path) != want[path])
        fail(f"{wrong.rsplit('/', 1)[-1]} has {want[wrong]} words, word_counts said {dict(got).get(wrong)}.")
    if context.created == 0:
        fail(
            "word_counts gave the right counts but started no worker process: pass the mp_context you are "
            "given to ProcessPoolExecutor(..., mp_context=mp_context), so the caller picks the start method."
        )
    if multiprocessing.active_children():
        fail("Worker processes were still running after word_counts returned: shut the pool down.")
