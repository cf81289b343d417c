"""ex01: multiprocessing.Process under spawn: a __main__ guard, results through a Queue, join."""

import os
import random
import re
import subprocess
import sys

from awaitlings.testing import fail, target_root
from support import primes_below

LINE = re.compile(r"primes below (\d+): (\d+) \(process (\d+)\)")


def run_script(*numbers: int) -> tuple[subprocess.Popen, str, str]:
    process = subprocess.Popen(
        [sys.executable, "ex01_processes.py", *map(str, numbers)],
        cwd=target_root(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.communicate()
        fail(
            "`python ex01_processes.py` did not finish within 30 s. Is the parent waiting for a result "
            "that no child sends, or joining a child before reading its results?"
        )
    return process, out, err


def test_when_the_script_runs_under_spawn_then_each_number_is_counted_in_its_own_process():
    numbers = random.sample(range(5_000, 40_000), 3)
    process, out, err = run_script(*numbers)
    if "bootstrapping phase" in err:
        fail(
            "Each child process crashed while starting: under spawn a child imports ex01_processes.py "
            "again, and its top-level code tried to start processes of its own (RuntimeError: "
            "'...before the current process has finished its bootstrapping phase'). "
            "Start processes only under `if __name__ == \"__main__\":`."
        )
    if process.returncode != 0:
        fail(f"`python ex01_processes.py` exited with code {process.returncode}:\n{err.strip()[-800:]}")
    found = {int(n): (int(count), int(pid)) for n, count, pid in LINE.findall(out)}
    missing = [n for n in numbers if n not in found]
    if missing:
        fail(
            f"The script printed no result line for {missing} (expected lines like "
            f"'primes below {numbers[0]}: 123 (process 4242)'). It printed:\n{out.strip()[-500:] or '(nothing)'}\n"
            "Collect every result from the queue and join every process before you print."
        )
    for n in numbers:
        count, pid = found[n]
        if count != primes_below(n):
            fail(f"There are {primes_below(n)} primes below {n}, the script printed {count}.")
        if pid == process.pid:
            fail(f"The count for {n} was made by the parent process itself ({pid}), not by a child process.")
    pids = {found[n][1] for n in numbers}
    if len(pids) != len(numbers):
        fail(f"{len(numbers)} numbers were counted by only {len(pids)} process(es): start one process per number.")
