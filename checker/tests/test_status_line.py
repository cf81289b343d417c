"""A check that runs past a second shows one line naming what it is starting or waiting for."""

from __future__ import annotations

import io
import shutil
import time

import pytest

from awaitlings.course import Course
from awaitlings.runner import run_lesson
from awaitlings.ui import StatusLine

from .test_celery_harness import CELERY_COURSE


def test_the_line_appears_only_after_the_delay_names_the_latest_and_is_erased():
    out = io.StringIO()
    line = StatusLine(out, delay=0.3, force=True)
    line("starting a private Redis")
    line("starting a Celery worker")
    time.sleep(0.1)
    assert out.getvalue() == "", "nothing before the delay: a fast check stays quiet"
    time.sleep(0.4)
    assert "starting a Celery worker" in out.getvalue() and "private Redis" not in out.getvalue()
    line.close()
    assert out.getvalue().endswith("\r\033[K"), "the line is erased before the results are printed"


def test_nothing_is_written_when_the_output_is_not_a_terminal():
    out = io.StringIO()
    line = StatusLine(out, delay=0)
    line("waiting for uvicorn on :8000")
    time.sleep(0.15)
    line.close()
    assert out.getvalue() == ""


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")
def test_a_celery_check_reports_what_it_is_starting():
    seen: list[str] = []
    run_lesson(Course(CELERY_COURSE).lesson("01"), exercises=["ex01_ok"], on_status=seen.append)
    assert any("Celery worker" in what for what in seen), seen
