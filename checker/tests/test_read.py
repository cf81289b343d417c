"""`awaitlings read NN`: a lesson's text with its code filled in, for learners reading outside the site."""

from __future__ import annotations

from awaitlings.course import Course
from awaitlings.reader import expand, flatten_admonitions, lesson_text, strip_markers

from .conftest import REPO, awaitlings


def test_every_lesson_reads_with_its_code_and_no_snippet_markers():
    course = Course(REPO)
    for lesson in course.lessons:
        if not (lesson.path / "README.md").exists():
            continue  # a lesson being written; `awaitlings verify` fails it for the missing page
        text = lesson_text(lesson)
        assert "--8<--" not in text, f"{lesson.slug}: a snippet marker is left"
        assert "(missing:" not in text, f"{lesson.slug}: an include names a missing file or section"
        assert f"awaitlings read {lesson.number}" in (lesson.path / "README.md").read_text(encoding="utf-8"), \
            f"{lesson.slug}/README.md should say at the top that `awaitlings read {lesson.number}` shows it with code"


def test_a_section_is_expanded_dedented_and_solutions_stay_folded(tmp_path):
    (tmp_path / "code.py").write_text("def f():\n    # --8<-- [start:body]\n    return 42\n    # --8<-- [end:body]\n")
    text = expand('```python\n--8<-- "code.py:body"\n```\n\n??? success "Solution"\n    ```python\n'
                  '    --8<-- "code.py"\n    ```\n', tmp_path)
    assert "```python\nreturn 42\n```" in text
    flat = flatten_admonitions(text, "run `awaitlings solution <exercise>`")
    assert "def f()" not in flat and "awaitlings solution" in flat


def test_strip_markers_keeps_the_code():
    assert strip_markers("a = 1\n# --8<-- [start:x]\nb = 2\n# --8<-- [end:x]\n") == "a = 1\nb = 2\n"


def test_the_command_prints_the_lesson_with_code():
    run = awaitlings("read", "12", "--plain")
    assert run.returncode == 0, run.stderr
    assert 'app.config_from_object("django.conf:settings", namespace="CELERY")' in run.stdout
    assert "--8<--" not in run.stdout
