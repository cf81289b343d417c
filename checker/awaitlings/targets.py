"""Whose files are graded: the learner's (in place), the reference solutions, the pristine starters,
or a submission folder. Only the files lesson.toml lists as editable ever come from the target; every
other file (settings, fixtures, servers, tests) always comes from the course itself."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from .course import CourseError, Lesson
from .i18n import _

LEARNER, SOLUTIONS, STARTER = "learner", "solutions", "starter"
MAX_FILE_BYTES = 1_000_000
SNAPSHOT_DIR = Path("checker", "awaitlings", "starters")  # inside the course root
_SKIP = shutil.ignore_patterns("tests", "__pycache__", "*.pyc", ".pytest_cache", "*.sqlite3")


def snapshot_path(lesson: Lesson) -> Path:
    return lesson.root / SNAPSHOT_DIR / f"{lesson.slug}.json"


def starter_files(lesson: Lesson) -> dict[str, str]:
    """The pristine starter text of every editable file, from the snapshot the course ships."""
    path = snapshot_path(lesson)
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError):
        raise CourseError(_("No starter snapshot for {lesson}: run `awaitlings snapshot {lesson}`.").format(
            lesson=lesson.slug)) from None
    missing = set(lesson.editable_files) - set(files)
    if missing:
        raise CourseError(_("Starter snapshot of {lesson} lacks {files}: run `awaitlings snapshot`.").format(
            lesson=lesson.slug, files=sorted(missing)))
    return files


def write_snapshot(lesson: Lesson) -> Path:
    files = {rel: (lesson.path / rel).read_text(encoding="utf-8") for rel in lesson.editable_files}
    path = snapshot_path(lesson)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"lesson": lesson.slug, "files": files}, indent=1, ensure_ascii=False) + "\n")
    return path


def snapshot_drift(lesson: Lesson) -> list[str]:
    """Editable files whose text in lessons/ differs from the shipped starter snapshot."""
    try:
        files = starter_files(lesson)
    except CourseError:
        return list(lesson.editable_files)
    drift = []
    for rel in lesson.editable_files:
        path = lesson.path / rel
        if not path.is_file() or path.read_text(encoding="utf-8") != files.get(rel):
            drift.append(rel)
    return drift


def read_submitted_file(path: Path) -> str | None:
    """A learner's file, or None when it is absent or not something we will read (a link, huge, binary)."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def editable_sources(lesson: Lesson, target: str) -> dict[str, str]:
    """Text of each editable file for a target other than the learner's own folder."""
    starters = starter_files(lesson)
    if target == STARTER:
        return starters
    if target == SOLUTIONS:
        base = lesson.solution_path
    else:
        submission = Path(target)
        base = submission / "lessons" / lesson.slug
        if not base.is_dir() and any((submission / rel).exists() for rel in lesson.editable_files):
            base = submission  # a folder holding just this lesson's files
    out = {}
    for rel in lesson.editable_files:
        text = read_submitted_file(base / rel)
        if text is None and target == SOLUTIONS:
            raise CourseError(_("Missing solution file solutions/{lesson}/{file}").format(lesson=lesson.slug, file=rel))
        # A file the submission lacks is graded as the untouched starter: it earns what a starter earns.
        out[rel] = starters[rel] if text is None else text
    return out


def build_overlay(lesson: Lesson, target: str, into: Path | None = None) -> Path:
    """A folder laid out like the lesson, with the target's editable files in place."""
    root = Path(into or tempfile.mkdtemp(prefix=f"awaitlings-{lesson.number}-"))
    shutil.copytree(lesson.path, root, ignore=_SKIP, dirs_exist_ok=True, symlinks=False)
    for rel, text in editable_sources(lesson, target).items():
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_text(text, encoding="utf-8")
    return root


def target_root(lesson: Lesson, target: str) -> tuple[Path, bool]:
    """The folder whose editable files are graded, and whether it is a temporary overlay."""
    if target in ("", LEARNER):
        return lesson.path, False
    return build_overlay(lesson, target), True


def describe(target: str) -> str:
    known = {LEARNER: _("your files"), SOLUTIONS: _("the reference solutions"), STARTER: _("the starters")}
    return known.get(target or LEARNER) or _("submission {target}").format(target=target)
