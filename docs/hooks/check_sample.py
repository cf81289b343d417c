"""Site build hook: the sample check output on the getting-started pages comes from a real check.

Before each language's build, it runs `awaitlings check 01 --target <empty folder>` (a submission with
no files is graded as the untouched starters, whatever the builder's own lessons/ hold, and no progress
is recorded) in that language, and writes the output to `.cache/site-samples/check-01.<lang>.txt`
(gitignored). docs/getting-started.md and .ko.md include it with a snippet, so a missing sample fails
the build and the page cannot drift from what the checker really prints.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger

log = get_plugin_logger("check_sample")

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / ".cache" / "site-samples"
LESSON = "01"

_fresh = False
_done: set[Path] = set()


def on_startup(command: str, dirty: bool) -> None:
    global _fresh
    _fresh = command != "serve"


def sample_path(lang: str) -> Path:
    return OUT / f"check-{LESSON}.{lang}.txt"


def write_sample(lang: str) -> Path:
    out = sample_path(lang)
    if out in _done or (not _fresh and out.exists()):
        return out
    with tempfile.TemporaryDirectory(prefix="awaitlings-sample-") as empty:
        run = subprocess.run(
            [sys.executable, "-m", "awaitlings.entry", "check", LESSON, "--target", empty, "--lang", lang],
            cwd=REPO, capture_output=True, text=True, timeout=300,
            env={**os.environ, "AWAITLINGS_ROOT": str(REPO), "AWAITLINGS_WARM": "0", "NO_COLOR": "1"})
    text = run.stdout.replace("\r", "")
    # The header names the graded folder (our empty one); a learner's own check names none.
    text = re.sub(r"^(\S+ — .*?)  \(.*\)$", r"\1", text, count=1, flags=re.M)
    if not re.search(r"^  \S+ \S+/", text, flags=re.M):
        raise PluginError(f"`awaitlings check {LESSON}` printed no result for the getting-started page "
                          f"(exit {run.returncode}):\n{run.stdout[-2000:]}{run.stderr[-2000:]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(text.rstrip() + "\n", encoding="utf-8")
    os.replace(tmp, out)
    _done.add(out)
    log.info("sample output of `awaitlings check %s` (%s) written", LESSON, lang)
    return out


def on_pre_build(config) -> None:
    i18n = config.plugins.get("i18n")
    write_sample(getattr(i18n, "current_language", None) or "en")
