"""The real course proves itself: every lesson verifies, and every lesson and notebook is on the site
(the site build itself: test_site.py)."""

from __future__ import annotations

import re
from pathlib import Path

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


SNIPPET = re.compile(r'--8<-- "lessons/(\d\d_[a-z0-9_]+)/([^":]+)')


def test_every_file_the_pages_quote_is_run_by_the_lessons_tests_or_notebook():
    """Code on the site comes from tested files: each file a README quotes is a test itself, or is named by
    the lesson's tests, its notebook, or a course file they run (settings, URLconf, views load templates)."""
    untested = []
    for readme in sorted((REPO / "lessons").glob("*/README*.md")):
        for slug, rel in sorted(set(SNIPPET.findall(readme.read_text()))):
            if rel.startswith("tests/"):
                continue  # a test quoted on the page runs with the lesson's tests
            lesson = REPO / "lessons" / slug
            users = [*lesson.glob("tests/*.py"), REPO / "notebooks" / f"{slug}.ipynb",
                     *(p for p in lesson.rglob("*.py") if "tests" not in p.parts and p.name != Path(rel).name)]
            names = {Path(rel).name, Path(rel).stem.removesuffix(".py"), rel.removesuffix(".py").replace("/", "."),
                     rel.split("/templates/")[-1]}
            if not any(name in path.read_text() for path in users if path.is_file() for name in names):
                untested.append(f"{slug}/{rel}")
    assert not untested, f"quoted on a page but run by nothing: {untested}"
