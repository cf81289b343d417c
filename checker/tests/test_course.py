"""The real course proves itself: every lesson verifies, and every lesson and notebook is on the site
(the site build itself: test_site.py)."""

from __future__ import annotations

import re

import pytest

from awaitlings.course import Course

from .conftest import REPO, awaitlings

LESSONS = [lesson.slug for lesson in Course(REPO).lessons]


@pytest.mark.parametrize("slug", LESSONS)
def test_lesson_verifies(slug, monkeypatch):
    monkeypatch.delenv("AWAITLINGS_ROOT", raising=False)
    run = awaitlings("verify", slug, timeout=900)
    assert run.returncode == 0, run.stdout + run.stderr


def test_every_lesson_and_notebook_is_on_the_site():
    nav = (REPO / "mkdocs.yml").read_text()
    for slug in LESSONS:
        assert f"lessons/{slug}/README.md" in nav, f"{slug} is missing from mkdocs.yml nav"
        assert f"notebooks/{slug}.ipynb" in nav, f"notebook {slug} is missing from mkdocs.yml nav"


def test_notebooks_are_stored_without_outputs():
    for notebook in sorted((REPO / "notebooks").glob("*.ipynb")):
        text = notebook.read_text()
        assert not re.search(r'"execution_count": [0-9]', text), f"{notebook.name} has stored outputs"


# The site build and what it must show: test_site.py (one build, notebooks executed).
