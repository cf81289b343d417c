"""lesson.toml is typed: a typo fails loudly, naming the file and the key; defaults are filled in once."""

from __future__ import annotations

from pathlib import Path

import pytest

from awaitlings import lessonfile
from awaitlings.course import Course, CourseError

from .conftest import REPO

MINIMAL = '''title = "T"
[[exercises]]
id = "ex01_add"
files = ["ex01_add.py"]
'''


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lesson.toml"
    path.write_text(text)
    return path


def test_every_lesson_of_the_course_validates():
    assert Course(REPO).lessons  # load_lesson validates each lesson.toml


def test_defaults_are_filled_in_once(tmp_path):
    meta = lessonfile.read(_write(tmp_path, MINIMAL))
    ex = meta["exercises"][0]
    assert ex["title"] == "ex01_add" and ex["tests"] == ["tests/test_ex01_add.py"]
    assert ex["time_limit"] == meta["time_limit"] == lessonfile.DEFAULT_TIME_LIMIT
    assert meta["parallel_check"] is True and ex["hidden"] is False and meta["pytest_plugins"] == ["asyncio"]


@pytest.mark.parametrize("extra, key", [
    ("time_limt = 5\n", "time_limt"),
    ("hint = ['x']\n", "exercises[0].hint"),
])
def test_an_unknown_key_names_the_file_and_the_key(tmp_path, extra, key):
    text = MINIMAL.replace('title = "T"\n', 'title = "T"\n' + extra) if "hint" not in extra else MINIMAL + extra
    path = _write(tmp_path, text)
    with pytest.raises(lessonfile.LessonFileError) as error:
        lessonfile.read(path)
    assert str(path) in str(error.value) and f"unknown key `{key}`" in str(error.value)


def test_an_unknown_key_under_run_processes_is_named_with_its_position(tmp_path):
    path = _write(tmp_path, MINIMAL + '[run]\n[[run.processes]]\nname = "web"\ncmd = ["x"]\nprot = 8000\n')
    with pytest.raises(lessonfile.LessonFileError, match=r"unknown key `run.processes\[0\].prot`"):
        lessonfile.read(path)


def test_the_korean_edition_keys_are_accepted(tmp_path):
    korean = MINIMAL.replace('title = "T"\n', 'title = "T"\ntitle_ko = "티"\nobjectives_ko = ["목표"]\n')
    korean += 'title_ko = "더하기"\nhints = ["a", "b"]\nhints_ko = ["가", "나"]\n[run]\ndescription_ko = "설명"\n'
    meta = lessonfile.read(_write(tmp_path, korean))
    assert meta["exercises"][0]["hints_ko"] == ["가", "나"] and meta["run"]["description_ko"] == "설명"
    with pytest.raises(lessonfile.LessonFileError, match="unknown key `exercises\\[0\\].hint_ko`"):
        lessonfile.read(_write(tmp_path, korean.replace("hints_ko =", "hint_ko =")))


def test_duplicate_ids_and_wrong_types_are_reported(tmp_path):
    twice = MINIMAL + '[[exercises]]\nid = "ex01_add"\nfiles = ["b.py"]\n'
    with pytest.raises(lessonfile.LessonFileError, match="ex01_add appear more than once"):
        lessonfile.read(_write(tmp_path, twice))
    with pytest.raises(lessonfile.LessonFileError, match=r"`exercises\[0\].points`"):
        lessonfile.read(_write(tmp_path, MINIMAL + 'points = "many"\n'))


def test_the_course_reports_a_bad_lesson_toml_as_a_course_error(course_copy):
    toml = course_copy / "lessons/02_tiny/lesson.toml"
    toml.write_text(toml.read_text() + "pionts = 3\n")
    with pytest.raises(CourseError, match=r"02_tiny/lesson.toml: unknown key `exercises\[0\].pionts`"):
        Course(course_copy).lesson("02")


def test_a_file_read_before_is_read_again_once_it_changes(tmp_path):
    """The warm server reads every lesson.toml once for the checks it forks; an edit must still show."""
    path = _write(tmp_path, MINIMAL)
    first = lessonfile.read(path)
    first["title"] = "changed by the caller"  # each caller gets its own copy
    assert lessonfile.read(path)["title"] == "T"
    path.write_text(MINIMAL.replace('title = "T"', 'title = "Renamed"'))
    assert lessonfile.read(path)["title"] == "Renamed"
    path.write_text(MINIMAL + "time_limt = 5\n")
    with pytest.raises(lessonfile.LessonFileError, match="time_limt"):
        lessonfile.read(path)
