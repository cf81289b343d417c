"""Where a job runs: a staged copy of the course with the submission's files in place.

    WORK/templates/NN_topic/course/      one per lesson and process: the instructor's lesson folder
                                         (tests, fixtures, settings) and pyproject.toml, bytecode warmed
    WORK/jobs/<id>/course/               per job: the template (hard links where the sandbox makes it
                                         read-only anyway) + the submitted editable files; read-only
    WORK/jobs/<id>/home/                 scratch HOME and TMPDIR (a private tmpfs when namespaced)

Nothing else of the instructor's checkout is in the stage: no solutions, no other lessons, no .git."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import threading
import uuid
from pathlib import Path

from ..course import Lesson, load_lesson
from .sandbox import NONE, ROOT

_SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.sqlite3", ".awaitlings")


def default_workdir(mode: str) -> Path:
    if mode == ROOT:
        # Outside /tmp, which the root sandbox replaces by an empty tmpfs.
        return Path("/var/lib/awaitlings/work")
    return Path(tempfile.gettempdir()) / f"awaitlings-work-{os.geteuid()}"


def _read_only(root: Path, dirs_too: bool) -> None:
    for folder, dirs, files in os.walk(root):
        for name in files:
            os.chmod(os.path.join(folder, name), 0o444)
        if dirs_too:
            os.chmod(folder, 0o555)


def _writable(root: Path) -> None:
    for folder, dirs, files in os.walk(root):
        os.chmod(folder, 0o755)


def remove(path: Path) -> None:
    if not path.exists():
        return
    try:
        _writable(path)
    except OSError:
        pass
    shutil.rmtree(path, ignore_errors=True)


def _drop_bytecode_of(course: Path, lesson: Lesson, editable: list[str]) -> None:
    for rel in editable:
        source = course / "lessons" / lesson.slug / rel
        cache = source.parent / "__pycache__"
        if cache.is_dir():
            for pyc in cache.glob(f"{source.stem}.*.pyc"):
                pyc.unlink()


class Templates:
    """One warmed, read-only copy of each lesson per process (a batch, or a Celery worker)."""

    def __init__(self, workdir: Path) -> None:
        self.root = workdir / f"templates-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        for stale in workdir.glob("templates-*-*"):  # left by a grader that was killed
            pid = stale.name.split("-")[1]
            if pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
                remove(stale)
        self._lock = threading.Lock()
        self._built: dict[str, Path] = {}

    def get(self, lesson: Lesson, warm=None) -> Path:
        """The template's course root for `lesson`; `warm(lesson_in_template)` runs once after copying
        (the trusted collection that also compiles the tests)."""
        with self._lock:
            if lesson.slug not in self._built:
                course = self.root / lesson.slug / "course"
                (course / "lessons").mkdir(parents=True)
                shutil.copy2(lesson.root / "pyproject.toml", course / "pyproject.toml")
                shutil.copytree(lesson.path, course / "lessons" / lesson.slug, ignore=_SKIP, symlinks=False)
                staged = load_lesson(course, lesson.slug)
                if warm:
                    warm(staged)
                _drop_bytecode_of(course, staged, lesson.editable_files)
                _read_only(course, dirs_too=False)
                self._built[lesson.slug] = course
            return self._built[lesson.slug]

    def cleanup(self) -> None:
        remove(self.root)


class Workspace:
    """The job folder for one (submission, lesson)."""

    def __init__(self, workdir: Path, template: Path, lesson: Lesson, files: dict[str, str], mode: str,
                 uid: int | None = None, gid: int | None = None) -> None:
        self.dir = workdir / "jobs" / uuid.uuid4().hex[:12]
        self.course = self.dir / "course"
        self.home = self.dir / "home"
        self.lesson_slug = lesson.slug
        self.files = files
        self.mode = mode
        self.uid, self.gid = uid, gid
        self.template = template
        self.fingerprint: dict[str, tuple] = {}

    def __enter__(self) -> Workspace:
        self.dir.mkdir(parents=True)
        link = os.link if self.mode != NONE else shutil.copy2
        shutil.copytree(self.template, self.course, copy_function=link, symlinks=False)
        lesson_dir = self.course / "lessons" / self.lesson_slug
        for rel, text in self.files.items():
            dest = lesson_dir / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():
                dest.unlink()  # a hard link to the template: never write through it
            dest.write_text(text, encoding="utf-8")
        _read_only(self.course, dirs_too=True)
        self.home.mkdir()
        if self.gid is not None:
            os.chown(self.dir, 0, self.gid)
            os.chmod(self.dir, 0o750)  # other jobs (other gids) can't look in
        if self.mode == NONE:  # no tmpfs: a plain folder, the slot's own
            (self.home / "tmp").mkdir()
            if self.uid is not None:
                for path in (self.home, self.home / "tmp"):
                    os.chown(path, self.uid, self.gid)
                    os.chmod(path, 0o700)
        self.fingerprint = self.snapshot()
        return self

    @property
    def lesson(self) -> Lesson:
        return load_lesson(self.course, self.lesson_slug)

    def snapshot(self) -> dict[str, tuple]:
        out = {}
        for folder, dirs, files in os.walk(self.course):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for name in files:
                path = os.path.join(folder, name)
                info = os.lstat(path)
                out[os.path.relpath(path, self.course)] = (info.st_ino, info.st_size, info.st_mtime_ns,
                                                           stat.S_IMODE(info.st_mode))
        return out

    def changed_files(self) -> list[str]:
        """Course files that differ from what was staged (in a sandbox that works, none can)."""
        now = self.snapshot()
        changed = sorted(rel for rel in set(now) | set(self.fingerprint) if now.get(rel) != self.fingerprint.get(rel))
        return changed

    def __exit__(self, *exc) -> None:
        remove(self.dir)


def hidden_paths(candidates: list[Path], keep: list[Path], limit: int = 200) -> list[str]:
    """Paths to hide inside the sandbox: each candidate, except that a candidate holding something the
    sandbox needs (the Python environment, the checker, the job itself) is opened up one level at a time."""
    keep_real = [os.path.realpath(k) for k in keep]
    out: list[str] = []

    def needed(path: str) -> bool:
        return any(k == path or k.startswith(path.rstrip(os.sep) + os.sep) for k in keep_real)

    def inside_kept(path: str) -> bool:
        return any(path == k or path.startswith(k + os.sep) for k in keep_real)

    def visit(path: str) -> None:
        if len(out) > limit or not os.path.lexists(path) or inside_kept(path):
            return
        if not needed(path):
            out.append(path)
            return
        if os.path.isdir(path) and not os.path.islink(path):
            try:
                names = sorted(os.listdir(path))
            except OSError:
                return
            for name in names:
                visit(os.path.join(path, name))

    for candidate in candidates:
        visit(os.path.realpath(candidate))
    return sorted(set(out))


def keep_paths() -> list[Path]:
    """What every sandbox needs to see: the Python environment and the checker package."""
    return [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).resolve().parent,
            Path(__file__).resolve().parents[1]]


def blocked_ancestors(needed: list[Path]) -> list[tuple[str, str]]:
    """(needed path, its highest ancestor an unprivileged uid can't traverse), for each needed path
    that has one: e.g. a Python installed under /root (mode 0700) by pyenv."""
    out = []
    for path in needed:
        real = os.path.realpath(path)
        parts = Path(real).parts
        for depth in range(2, len(parts) + 1):
            ancestor = os.path.join(*parts[:depth])
            try:
                mode = os.stat(ancestor).st_mode
            except OSError:
                break
            if stat.S_ISDIR(mode) and not mode & stat.S_IXOTH:
                out.append((real, ancestor))
                break
    # a needed path inside another needed path is exposed with it
    out = [(n, b) for n, b in out if not any(n != m and n.startswith(m + os.sep) for m, _ in out)]
    return sorted(set(out))
