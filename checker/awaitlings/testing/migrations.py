"""For lessons whose checks build their test database from the models (a `django_db_use_migrations`
fixture returning False, 0.15-0.3 s sooner per process than replaying migrations): the migrations, which
`awaitlings run` and real databases get, must still describe the same tables."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .core import target_root


def expect_migrations_match(settings: str, sqlite_env: str | None = None) -> None:
    """`django makemigrations --check --dry-run` on the folder under test, with `settings`; fails naming
    the changes when a model changed without a migration. makemigrations opens the database: `sqlite_env`
    names the settings' environment variable for the SQLite file, pointed at a temporary one here so no
    database file is left in the folder."""
    with tempfile.TemporaryDirectory(prefix="awaitlings-migrations-") as tmp:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
        if sqlite_env:
            env[sqlite_env] = str(Path(tmp) / "db.sqlite3")
        done = subprocess.run([sys.executable, "-m", "django", "makemigrations", "--check", "--dry-run"],
                              cwd=target_root(), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"the models changed without a migration:\n{done.stdout}{done.stderr}"
