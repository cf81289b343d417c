"""Where the course is. Kept apart from course.py (which parses lesson.toml) so that the `awaitlings`
command can find its warm server before importing anything heavy (see entry.py)."""

from __future__ import annotations

import os
from pathlib import Path


def course_root(start: Path | None = None) -> Path | None:
    """$AWAITLINGS_ROOT, else the nearest folder up from `start` with lessons/ and pyproject.toml, else
    the checkout this package was installed from (editable install); None if there is none."""
    env = os.environ.get("AWAITLINGS_ROOT")
    if env:
        return Path(env).resolve()
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "lessons").is_dir() and (folder / "pyproject.toml").is_file():
            return folder
    package_checkout = Path(__file__).resolve().parents[2]
    if (package_checkout / "lessons").is_dir():
        return package_checkout
    return None
