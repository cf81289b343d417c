"""The Korean edition (한국어판) of the CLI: catalogs complete and compiled, language chosen from the
environment, Korean output from a real failing check, Korean hints and TIL drafts, and the verify checks
that keep every lesson's Korean page and lesson.toml keys from rotting."""

from __future__ import annotations

import ast
import gettext
import io
import re
import string
from pathlib import Path

import pytest

from awaitlings import i18n
from awaitlings.course import Course
from awaitlings.verify import korean_problems, snippet_lines

from .conftest import REPO, awaitlings

PACKAGE = REPO / "checker" / "awaitlings"
PO = PACKAGE / "locale" / "ko" / "LC_MESSAGES" / "awaitlings.po"
MO = PO.with_suffix(".mo")
HANGUL = range(0xAC00, 0xD7A4)


def korean(text: str) -> bool:
    return any(ord(ch) in HANGUL for ch in text)


def used_messages() -> set[str | tuple[str, str]]:
    """Every literal message id the code marks with _(), N_() or ngettext()."""
    found: set[str | tuple[str, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            if node.func.id in ("_", "N_") and args:
                found.add(args[0])
            elif node.func.id == "ngettext" and len(args) >= 2:
                found.add((args[0], args[1]))
    return found


def catalog():
    from babel.messages.pofile import read_po

    with open(PO, "rb") as handle:
        return read_po(handle)


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_the_catalog_translates_every_message_the_code_uses():
    cat = catalog()
    used = used_messages()
    assert len(used) > 150, "the message scan found too little: is the code still marked with _()?"
    missing = [m for m in used if m not in cat or not cat[m].string or cat[m].fuzzy]
    assert not missing, f"no Korean in {PO.name} for (run `make i18n`, then translate): {missing}"
    for message in cat:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert fields(text) == fields(ids[0]), f"placeholders differ: {ids[0]!r} -> {text!r}"
            words = re.sub(r"\{[^}]*\}", "", text)
            assert korean(text) or not re.search(r"[A-Za-z]{3,}", words), f"not Korean: {text!r}"


def test_the_shipped_mo_is_compiled_from_the_po():
    from babel.messages.mofile import write_mo

    fresh = io.BytesIO()
    write_mo(fresh, catalog())
    fresh.seek(0)
    want = gettext.GNUTranslations(fresh)._catalog
    with open(MO, "rb") as handle:
        got = gettext.GNUTranslations(handle)._catalog
    assert got == want, "awaitlings.mo is stale: run `make i18n` (pybabel compile)"


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({}, "en"),
        ({"LANG": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "ko_KR.UTF-8"}, "ko"),
        ({"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, "en"),
        ({"LANG": "ko_KR.UTF-8", "AWAITLINGS_LANG": "en"}, "en"),
        ({"LC_ALL": "C.UTF-8", "AWAITLINGS_LANG": "ko"}, "ko"),
        ({"AWAITLINGS_LANG": "fr"}, "en"),
    ],
)
def test_the_language_comes_from_awaitlings_lang_then_the_locale(monkeypatch, env, want):
    for var in ("AWAITLINGS_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert i18n.language() == want


def test_a_failing_check_under_a_korean_setting_teaches_in_korean(course_copy, monkeypatch):
    monkeypatch.setenv("AWAITLINGS_LANG", "ko")
    (course_copy / "lessons/02_tiny/ex01_add.py").write_text("def add(a, b):\n    return a + b\n")
    run = awaitlings("check", "02")
    assert run.returncode == 1
    out = run.stdout
    # The generic wrong-kind sentence of awaitlings.testing.need, the file to edit, the Korean hint.
    assert "고칠 파일: lessons/02_tiny/ex01_add.py" in out, out
    assert "힌트 1/2: 합을 반환하세요." in out, out
    assert "`add`은(는) `async def add(...)`(코루틴 함수)여야 하는데" in out, out
    assert "두 수를 더하기" in out and "edit:" not in out


def test_a_blocking_call_is_explained_in_korean(course_copy, monkeypatch):
    monkeypatch.setenv("LANG", "ko_KR.UTF-8")
    monkeypatch.delenv("AWAITLINGS_LANG")
    run = awaitlings("check", "01", "-e", "ex06_blocking")
    assert "이벤트 루프를" in run.stdout and "time.sleep(0.15)" in run.stdout, run.stdout


def test_lang_flag_overrides_the_environment(course_copy):
    hint = awaitlings("hint", "ex01_add", "--lang", "ko").stdout
    assert "힌트 1/2: 합을 반환하세요." in hint
    english = awaitlings("hint", "ex01_add", "--lang", "en").stdout
    assert "hint 2/2: `return a + b`" in english  # the level carries over between languages
    listing = awaitlings("list", "--lang", "ko").stdout
    assert "작은 레슨: 정직한 연습문제 하나" in listing and "다음: awaitlings check" in listing


def test_til_draft_is_korean_in_the_source_posts_format(course_copy):
    draft = awaitlings("til", "02", "--lang", "ko").stdout
    for part in ("toc: true", "toc_sticky: true", "# 👀 Today I Learned", "- 검증 통과하기",
                 "# 💡 Today I Thought", "## 오늘의 체크리스트", "- [ ] 두 수를 더하기", "## 회고"):
        assert part in draft, f"{part!r} missing from:\n{draft}"
    assert "## What surprised me" in awaitlings("til", "02").stdout


def test_verify_wants_the_korean_page_with_the_same_snippets_and_korean_hints(course_copy):
    lesson = Course(course_copy).lesson("02")
    assert korean_problems(lesson) == []
    english = lesson.page("en")
    english.write_text(english.read_text() + '\n```py\n--8<-- "lessons/02_tiny/ex01_add.py"\n```\n')
    toml = lesson.path / "lesson.toml"
    toml.write_text(toml.read_text().replace('hints_ko = ["합을 반환하세요.", "`return a + b`"]',
                                             'hints_ko = ["합을 반환하세요."]'))
    problems = korean_problems(Course(course_copy).lesson("02"))
    assert any("lacks the snippet" in p and "ex01_add.py" in p for p in problems), problems
    assert any("hints_ko has 1 hints, hints 2" in p for p in problems), problems
    lesson.page("ko").unlink()
    run = awaitlings("verify", "02")
    assert run.returncode == 1 and "missing the Korean page: lessons/02_tiny/README.ko.md" in run.stdout


def test_snippet_lines_ignore_indentation():
    page = REPO / "lessons" / "01_sync_vs_async" / "README.md"
    lines = snippet_lines(page)
    assert '--8<-- "solutions/01_sync_vs_async/ex01_gather.py:solution"' in lines


def test_every_site_page_and_nav_title_has_korean():
    import yaml

    docs = REPO / "docs"
    for name in ("index", "getting-started", "grading", "glossary"):
        assert (docs / f"{name}.ko.md").is_file(), f"docs/{name}.ko.md is missing"
    assert (REPO / "README.ko.md").is_file()

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)  # !!python/name tags
    config = yaml.load((REPO / "mkdocs.yml").read_text(), Loader=Loader)
    i18n_plugin = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
    korean_nav = next(lang for lang in i18n_plugin["languages"] if lang["locale"] == "ko")["nav_translations"]

    def titles(items):
        for item in items:
            for title, value in item.items():
                yield title
                if isinstance(value, list):
                    yield from titles(value)

    untranslated = [t for t in titles(config["nav"]) if t not in korean_nav]
    assert not untranslated, f"mkdocs.yml: add these nav titles to the ko nav_translations: {untranslated}"
