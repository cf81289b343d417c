"""`--backend celery`: two real worker processes on a private redis-server give exactly the grades the
local backend gives, hostile submissions included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from awaitlings.course import Course
from awaitlings.grading.batch import BatchOptions, grade_batch
from awaitlings.grading.execute import comparable
from awaitlings.grading.sandbox import Limits
from awaitlings.testing import free_port, wait_for_port

from .grading_helpers import COURSE, check_expected, compose

NAMES = ["good", "os_exit", "patch_plugin", "fake_results", "skip_self", "symlink_solution", "infinite_loop"]

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


@pytest.fixture(scope="module")
def broker(tmp_path_factory):
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(folder)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(port, 10, process=redis)
    url = f"redis://127.0.0.1:{port}/0"
    env = {**os.environ, "AWAITLINGS_ROOT": str(COURSE)}
    workers = [subprocess.Popen([sys.executable, "-m", "awaitlings.cli", "grade-worker", "--broker", url, "-c", "1"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(2)]
    try:
        yield url
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(15)
            except subprocess.TimeoutExpired:
                worker.kill()
        redis.terminate()
        redis.wait(10)


@pytest.fixture(scope="module")
def both(broker, tmp_path_factory):
    root = tmp_path_factory.mktemp("celery")
    folders = [compose(root / "subs", name) for name in NAMES]
    course = Course(COURSE)
    lessons = [course.lesson("01"), course.lesson("02")]
    limits = Limits(wall=60)
    local = grade_batch(course, folders, lessons, root / "local", BatchOptions(jobs=2, limits=limits, quiet=True))
    celery = grade_batch(course, folders, lessons, root / "celery",
                         BatchOptions(backend="celery", broker=broker, limits=limits, quiet=True))
    return local, celery, root


def test_celery_workers_give_the_local_backends_grades(both):
    local, celery, _ = both
    assert set(local.results) == set(celery.results)
    for key, result in local.results.items():
        assert comparable(celery.results[key]) == comparable(result), key


def test_both_workers_took_jobs(both):
    _, celery, _ = both
    assert len({r["host"] for r in celery.results.values()}) == 2


def test_hostile_submissions_graded_by_workers_score_as_expected(both):
    _, celery, _ = both
    for name in NAMES:
        check_expected(celery.results[(name, "01_demo")], name)


def test_the_two_gradebooks_are_the_same(both):
    _, _, root = both
    assert (root / "local" / "grades.csv").read_text() == (root / "celery" / "grades.csv").read_text()
