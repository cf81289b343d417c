"""Learners' submissions: find them, name them, and read only the files lesson.toml lists as editable.

A submission is a learner's copy of the course (a clone, an unpacked zip, any folder with
`lessons/NN_topic/...`), a folder holding one lesson's files (`NN_topic/ex01.py` or just `ex01.py`),
or a folder of such submissions (each subfolder is one). Only editable files are read, and only when
they are plain UTF-8 text files inside the submission: a symbolic link anywhere on the way (say, to
the instructor's solutions), a device, a huge or binary file is refused, graded as the untouched
starter, and noted for the gradebook."""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from ..course import CourseError, Lesson
from ..targets import MAX_FILE_BYTES, starter_files

MISSING = "missing"


@dataclass(frozen=True)
class Submission:
    name: str  # unique in the batch, safe as a folder name
    path: Path


@dataclass
class LessonFiles:
    """What a submission hands in for one lesson: the text graded for each editable file."""

    files: dict[str, str]
    notes: dict[str, str] = field(default_factory=dict)  # rel -> "missing" | "refused: ..."


def _looks_like_submission(folder: Path) -> bool:
    return (folder / "lessons").is_dir() or any(p.suffix == ".py" for p in folder.glob("*.py")) or any(
        re.match(r"^\d\d_", p.name) for p in folder.iterdir() if p.is_dir())


def discover(paths: list[str | Path]) -> list[Submission]:
    """Submissions from command-line paths; a folder of submission folders is expanded."""
    folders: list[Path] = []
    for raw in paths:
        path = Path(raw).expanduser()
        if not path.is_dir():
            raise CourseError(f"Not a folder: {raw}")
        if _looks_like_submission(path):
            folders.append(path)
            continue
        children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
        if not children:
            raise CourseError(f"{raw} holds no submission (no lessons/ folder, no lesson files, no subfolders)")
        folders.extend(children)
    out, used = [], set()
    for folder in folders:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", folder.resolve().name).strip("._") or "submission"
        name, n = base, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        out.append(Submission(name=name, path=folder))
    return out


def read_text_file(root: Path, rel: str) -> tuple[str | None, str]:
    """(text, "") or (None, why not). Never follows a link, never leaves `root`."""
    real_root = os.path.realpath(root)
    path = os.path.join(real_root, rel)
    if os.path.realpath(path) != os.path.normpath(path):
        return None, "refused: a symbolic link" if os.path.lexists(path) else MISSING
    if not os.path.lexists(path):
        return None, MISSING
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        return None, f"refused: {error.strerror.lower()}"
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "refused: not a regular file"
        if info.st_size > MAX_FILE_BYTES:
            return None, f"refused: larger than {MAX_FILE_BYTES // 1000} kB"
        data = os.read(fd, MAX_FILE_BYTES + 1)
    finally:
        os.close(fd)
    if b"\0" in data:
        return None, "refused: binary"
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError:
        return None, "refused: not UTF-8 text"


def lesson_base(lesson: Lesson, submission: Path) -> Path:
    """Where this lesson's files are inside the submission."""
    for base in (submission / "lessons" / lesson.slug, submission / lesson.slug):
        if base.is_dir() and not base.is_symlink():
            return base
    return submission  # a folder holding just this lesson's files


def starters_of(lesson: Lesson) -> dict[str, str]:
    """The untouched starter of each editable file: the shipped snapshot, else the course's own copy."""
    try:
        return starter_files(lesson)
    except CourseError:
        out = {}
        for rel in lesson.editable_files:
            text, _ = read_text_file(lesson.path, rel)
            out[rel] = text or ""
        return out


def lesson_files(lesson: Lesson, submission: Path, starters: dict[str, str]) -> LessonFiles:
    base = lesson_base(lesson, submission)
    files, notes = {}, {}
    for rel in lesson.editable_files:
        text, why = read_text_file(base, rel)
        if text is None:
            notes[rel] = why
            text = starters.get(rel, "")  # graded as the untouched starter: it earns what a starter earns
        files[rel] = text
    return LessonFiles(files=files, notes=notes)
