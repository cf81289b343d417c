"""The language of learner-facing messages: English by default, Korean (한국어) when asked.

Messages are marked with `_("...")` (placeholders in `{name}` form, filled with `.format()` after
translation) and looked up in a standard gettext catalog: `locale/ko/LC_MESSAGES/awaitlings.po` is the
source, and the compiled `awaitlings.mo` beside it ships with the package, so the CLI needs nothing but
the standard library at run time. After editing the .po, run `make i18n` (pybabel compile); a checker
test fails when the .mo is stale or a marked message has no Korean.

The language is read on every call, not once at import: the warm server imports this module before it
knows which learner's environment a check will run in, and `--lang` sets AWAITLINGS_LANG for the
pytest processes a check starts."""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

DOMAIN = "awaitlings"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ko")
DEFAULT = "en"
ENV = "AWAITLINGS_LANG"


def _code(value: str) -> str:
    """`ko_KR.UTF-8` -> `ko`; `C`, `POSIX` -> `en`."""
    code = value.strip().split(".")[0].split("@")[0].replace("-", "_").split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT


def language() -> str:
    """AWAITLINGS_LANG if set, else the locale (LC_ALL, LC_MESSAGES, LANG: the first one set wins)."""
    for var in (ENV, "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "").strip()
        if value:
            return _code(value)
    return DEFAULT


def set_language(lang: str | None) -> None:
    """Use `lang` here and in every process started from here (`--lang`)."""
    if lang:
        os.environ[ENV] = _code(lang)


def is_korean() -> bool:
    return language() == "ko"


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    if lang == DEFAULT:
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """The message in the current language (the English text when there is no translation)."""
    return translations(language()).gettext(message)


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; translate it with `_()` where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(language()).ngettext(singular, plural, n)


def pick(english, korean):
    """Content in two languages (lesson.toml's `title` / `title_ko`): Korean when it exists and is wanted."""
    return korean if korean and is_korean() else english
