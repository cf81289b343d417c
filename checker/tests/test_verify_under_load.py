"""Correct answers never fail under load: the timing-heavy lessons verify (every solution at full marks,
every starter below) while two CPU-burning processes take this 2-core machine's cores, as two grading jobs
at once do. Timing tests judge by counted evidence or ratios, never by absolute wall time."""

from __future__ import annotations

import subprocess
import sys

from .conftest import REPO, awaitlings

TIMING_HEAVY = ["01", "02", "03", "04", "05", "06", "07"]
BURN = "import time\nend = time.time() + 600\nwhile time.time() < end:\n    pass\n"


def test_timing_heavy_lessons_verify_with_two_cpu_burners_beside_them():
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(2)]
    try:
        run = awaitlings("verify", *TIMING_HEAVY, cwd=REPO, timeout=900)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"{len(TIMING_HEAVY)}/{len(TIMING_HEAVY)} lessons verified" in run.stdout, run.stdout[-2000:]
