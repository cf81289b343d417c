"""Content-addressed results: a job's key hashes everything its grade depends on, so a re-grade runs
only what changed, and identical hand-ins (untouched starters, copies) are graded once.

key = sha256(format version, lesson fingerprint, checker fingerprint, limits, sandbox mode,
             the text of every editable file)
- lesson fingerprint: every course file of the lesson folder (tests, fixtures, settings, lesson.toml,
  the editable files' starters excluded) and pyproject.toml;
- checker fingerprint: the awaitlings package's source and the versions of Python, pytest and the
  libraries the tests run on."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..course import Lesson

FORMAT = 3
LIBRARIES = ("pytest", "pytest-asyncio", "pytest-django", "django", "asgiref", "channels", "channels-redis",
             "celery", "redis", "httpx", "uvicorn", "daphne", "websockets")
_IGNORED_DIRS = {"__pycache__", ".pytest_cache", ".awaitlings"}


def _digest_tree(root: Path, skip: set[str] = frozenset()) -> str:
    h = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in _IGNORED_DIRS)
        for name in sorted(files):
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if rel in skip or name.endswith((".pyc", ".sqlite3")):
                continue
            h.update(rel.encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


def lesson_fingerprint(lesson: Lesson) -> str:
    h = hashlib.sha256()
    h.update(_digest_tree(lesson.path, set(lesson.editable_files)).encode())
    h.update((lesson.root / "pyproject.toml").read_bytes())
    return h.hexdigest()


@lru_cache(maxsize=1)
def checker_fingerprint() -> str:
    h = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    h.update(sys.version.encode())
    for name in LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=-".encode())
    return h.hexdigest()


def job_key(lesson_print: str, files: dict[str, str], options: dict) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"format": FORMAT, "lesson": lesson_print, "checker": checker_fingerprint(),
                         "options": options}, sort_keys=True).encode())
    for rel in sorted(files):
        h.update(rel.encode() + b"\0" + hashlib.sha256(files[rel].encode()).digest())
    return h.hexdigest()


class ResultCache:
    """One JSON file per key. Results the grader itself could not vouch for are never stored."""

    UNCACHEABLE = {"infra-error", "course-mismatch", "no-report"}

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        if not self.folder:
            return None
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, result: dict) -> None:
        if not self.folder or self.UNCACHEABLE & set(result.get("flags", [])):
            return
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(result, out)
        os.replace(tmp, path)
