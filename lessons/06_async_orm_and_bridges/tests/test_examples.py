"""The lesson's own examples, run by `awaitlings verify` and CI (never by a learner's check)."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from awaitlings.testing import target_root


def test_the_migrations_match_the_models():
    """The checks build their test database from the models (conftest: no migrations); the mini-project
    (serve.py) gets the migrations, so they must describe the same tables."""
    with tempfile.TemporaryDirectory(prefix="lesson06-") as tmp:  # makemigrations opens the database
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings", "BOOKSHELF_DB": str(Path(tmp) / "db.sqlite3")}
        done = subprocess.run([sys.executable, "-m", "django", "makemigrations", "--check", "--dry-run"],
                              cwd=target_root(), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"the models changed without a migration:\n{done.stdout}{done.stderr}"
