"""Site build hook: every notebook page shows the notebook *executed*, with its outputs and plots.

Notebooks are stored without outputs (diff-friendly; `test_notebooks_are_stored_without_outputs`).
While the site builds, this hook runs each one top to bottom with nbclient, as Jupyter would: the
kernel's working directory is the real `notebooks/` folder (docs/notebooks is a symlink to it), so
`Path.cwd().parent / "lessons"` finds the lessons. The executed copy goes to a gitignored folder
(`.cache/site-notebooks/`) and mkdocs-jupyter renders that copy (its own `execute` stays off).

- A cell that raises, or runs past CELL_TIMEOUT, fails the build and names the notebook and cell.
- Each notebook runs once per build: mkdocs-static-i18n builds English, then Korean (pages without
  a Korean file fall back to English) in the same process, and the second build reuses the copy.
- `mkdocs build` always executes afresh (lesson code may change while the notebook does not);
  `mkdocs serve` (`make site`) reuses the copy while the notebook file is unchanged, so a live reload
  does not re-run every notebook (delete `.cache/site-notebooks/` to refresh it).
- mkdocs-static-i18n turns every file into a plain `File`, and a plain `.ipynb` file is copied as
  is: the page would be the notebook's raw JSON (ultrabug/mkdocs-static-i18n#198). So this hook runs
  after the i18n plugin's `on_files` and makes each notebook a page again, under `/ko/` in the Korean
  build (English content, Korean navigation).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
from pathlib import Path

import nbformat
from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import Files
from mkdocs_jupyter.plugin import NotebookFile
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

log = get_plugin_logger("notebooks")

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / ".cache" / "site-notebooks"
CELL_TIMEOUT = 300  # seconds; the slowest cell (a benchmark) takes well under a minute here

_fresh = False  # `mkdocs build`: ignore copies left by an earlier build
_done: set[Path] = set()  # copies executed by this process


def on_startup(command: str, dirty: bool) -> None:
    global _fresh
    _fresh = command != "serve"


def executed_copy(notebook: Path) -> Path:
    """The executed copy of `notebook` (run now unless this build, or `serve` before, already did)."""
    data = notebook.read_bytes()
    out = OUT / hashlib.sha256(data).hexdigest()[:16] / notebook.name
    if out in _done or (not _fresh and out.exists()):
        return out
    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    cwd = notebook.resolve().parent
    started = time.perf_counter()
    try:
        NotebookClient(nb, timeout=CELL_TIMEOUT, allow_errors=False,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    except (CellExecutionError, CellTimeoutError, DeadKernelError) as exc:
        raise PluginError(f"{notebook.name} failed when executed for the site "
                          f"(run it in Jupyter from notebooks/ to see why):\n{exc}") from exc
    log.info("executed %s in %.1f s", notebook.name, time.perf_counter() - started)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        nbformat.write(nb, f)
    os.replace(tmp, out)  # atomic: a concurrent build never reads half a notebook
    _done.add(out)
    return out


@event_priority(-200)  # after mkdocs-static-i18n's on_files (-100), which unwraps notebook pages
def on_files(files: Files, config) -> Files:
    i18n = config.plugins.get("i18n")
    language = getattr(i18n, "current_language", None)
    default = getattr(i18n, "default_language", language)
    prefix = f"{language}/" if language and language != default else ""
    for file in list(files):
        if not file.src_uri.endswith(".ipynb") or isinstance(file, NotebookFile):
            continue
        executed = str(executed_copy(Path(config.docs_dir) / file.src_uri))
        page = NotebookFile(file, use_directory_urls=config.use_directory_urls, site_dir=config.site_dir)
        page.abs_src_path = executed  # on the wrapper: File computes its own from src_dir otherwise
        if prefix:
            page.dest_path = prefix + page.dest_path
            page.abs_dest_path = os.path.normpath(os.path.join(config.site_dir, page.dest_path))
            page.url = prefix + page.url
        files.remove(file)
        files.append(page)
    return files

