"""The course site: one real build (notebooks executed, sample check output generated), then what a reader
of the site must find in it. The build runs once for the module: it executes every notebook (minutes)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from awaitlings.course import Course

from .conftest import REPO

LESSONS = [lesson.slug for lesson in Course(REPO).lessons]
NOTEBOOKS = sorted(path.stem for path in (REPO / "notebooks").glob("*.ipynb"))
# A notebook may be listed here only if it draws no plot at all (a test below checks it never mentions
# matplotlib); every other notebook page must show at least one image.
NOTEBOOKS_WITHOUT_PLOTS: set[str] = set()
TITLE = re.compile(r"^(\d\d) · (\S.*)$")
IMAGE = re.compile(r'<img[^>]+src="data:image/(png|svg\+xml|jpeg)|<svg[\s>]')


class _Loader(yaml.SafeLoader):
    """mkdocs.yml with its tags (!ENV, !relative, python names) read as plain values."""


_Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _config() -> dict:
    return yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=_Loader)


def _section(config: dict, name: str) -> list[tuple[str, str]]:
    for item in config["nav"]:
        if isinstance(item, dict) and name in item:
            return [next(iter(entry.items())) for entry in item[name]]
    raise AssertionError(f"mkdocs.yml nav has no {name!r} section")


def _ko_translations(config: dict) -> dict[str, str]:
    for plugin in config["plugins"]:
        if isinstance(plugin, dict) and "i18n" in plugin:
            for language in plugin["i18n"]["languages"]:
                if language["locale"] == "ko":
                    return language.get("nav_translations") or {}
    raise AssertionError("mkdocs.yml has no Korean language in the i18n plugin")


def _short(title: str) -> str:
    """A lesson's short title: its title up to the first colon."""
    return title.split(":", 1)[0].strip()


def test_notebook_titles_in_the_nav_follow_one_pattern():
    """Every notebook is in the nav as "NN · <the lesson's short title>", in English and in Korean."""
    config = _config()
    entries = _section(config, "Notebooks")
    ko = _ko_translations(config)
    listed = {Path(path).stem for _, path in entries}
    assert not set(NOTEBOOKS) - listed, f"notebooks missing from the nav: {sorted(set(NOTEBOOKS) - listed)}"
    for title, path in entries:
        slug = Path(path).stem
        assert path == f"notebooks/{slug}.ipynb", f"{title!r}: a notebook entry points at notebooks/NN_topic.ipynb"
        meta = tomllib.loads((REPO / "lessons" / slug / "lesson.toml").read_text(encoding="utf-8"))
        number = slug[:2]
        expected = f"{number} · {_short(meta['title'])}"
        assert title == expected, f"nav title of {path} is {title!r}; the pattern gives {expected!r}"
        expected_ko = f"{number} · {_short(meta.get('title_ko') or meta['title'])}"
        assert ko.get(title) == expected_ko, (
            f"ko nav_translations of {title!r} is {ko.get(title)!r}; the pattern gives {expected_ko!r}")
    for title, path in _section(config, "Lessons"):
        match = TITLE.match(title)
        assert match and path.startswith(f"lessons/{match.group(1)}_"), f"lesson nav title {title!r} ({path})"
        assert TITLE.match(ko.get(title, "")), f"lesson {title!r} has no 'NN · ...' Korean nav title"


def test_notebooks_without_plots_really_have_none():
    for name in NOTEBOOKS_WITHOUT_PLOTS:
        text = (REPO / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert "matplotlib" not in text, f"{name} plots with matplotlib: its page must show the plot"


def test_getting_started_sample_comes_from_a_real_check():
    for page, lang in (("getting-started.md", "en"), ("getting-started.ko.md", "ko")):
        text = (REPO / "docs" / page).read_text(encoding="utf-8")
        assert f'--8<-- ".cache/site-samples/check-01.{lang}.txt"' in text, page
        assert not re.search(r"^\s*score \d|^\s*점수 \d|^\s*✗ ex\d", text, flags=re.M), (
            f"{page} has a hand-written sample: include the generated one")


@pytest.fixture(scope="module")
def built_site(tmp_path_factory) -> tuple[Path, str]:
    site = tmp_path_factory.mktemp("site") / "site"
    mkdocs = Path(sys.executable).with_name("mkdocs")
    run = subprocess.run([str(mkdocs), "build", "--strict", "--site-dir", str(site)],
                         cwd=REPO, capture_output=True, text=True, timeout=2400,
                         env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "AWAITLINGS_WARM": "0"})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-5000:]
    return site, run.stdout + run.stderr


def test_site_builds_strictly(built_site):
    site, _ = built_site
    assert (site / "lessons" / LESSONS[0] / "index.html").exists()
    assert (site / "ko" / "lessons" / LESSONS[0] / "index.html").exists()


def _page(site: Path, name: str, prefix: str = "") -> str:
    page = site / prefix / "notebooks" / name / "index.html"
    assert page.exists(), f"no page {page.relative_to(site)}"
    html = page.read_text(encoding="utf-8")
    assert html.lstrip().startswith("<!doctype html>"), f"{page.relative_to(site)} is not a rendered page"
    return html


@pytest.mark.parametrize("prefix", ["", "ko"])
def test_every_notebook_page_shows_the_executed_notebook_with_its_plots(built_site, prefix):
    site, _ = built_site
    for name in NOTEBOOKS:
        html = _page(site, name, prefix)
        assert "jp-OutputArea-output" in html, f"{prefix}/notebooks/{name}: no cell output on the page"
        if name not in NOTEBOOKS_WITHOUT_PLOTS:
            assert IMAGE.search(html), f"{prefix}/notebooks/{name}: no image output (plot) on the page"


def test_each_notebook_runs_once_per_build(built_site):
    _, log = built_site
    for name in NOTEBOOKS:
        runs = re.findall(rf"executed {re.escape(name)}\.ipynb in", log)
        assert len(runs) == 1, f"{name} executed {len(runs)} times in one build"


def test_notebook_nav_titles_on_the_built_site_are_the_nav_titles(built_site):
    """mkdocs-jupyter would retitle a page after the notebook's first heading; the nav keeps mkdocs.yml's."""
    site, _ = built_site
    expected = {f"notebooks/{Path(path).stem}/": title for title, path in _section(_config(), "Notebooks")}
    html = (site / "glossary" / "index.html").read_text(encoding="utf-8")  # built after every notebook
    links = dict(re.findall(r'href="\.\./(notebooks/[^"]+/)"[^>]*>\s*<span class="md-ellipsis">\s*(.*?)\s*</span>',
                            html, flags=re.S))
    assert links == expected


def test_getting_started_pages_show_the_real_check_output(built_site):
    site, _ = built_site
    en = (site / "getting-started" / "index.html").read_text(encoding="utf-8")
    ko = (site / "ko" / "getting-started" / "index.html").read_text(encoding="utf-8")
    assert "01_sync_vs_async — Sync vs async: the event loop" in en
    assert re.search(r"score \d+(\.\d+)?/\d+", en)
    assert "01_sync_vs_async — 동기와 비동기: 이벤트 루프" in ko
    assert re.search(r"점수 \d+(\.\d+)?/\d+", ko)
