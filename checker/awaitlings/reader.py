"""`awaitlings read NN`: a lesson's text in the terminal, with its code.

The site includes code from tested files (`--8<-- "lessons/NN/file.py:section"`, pymdownx.snippets);
read raw, a README shows those markers instead of code. This expands them the same way (sections between
`--8<-- [start:name]` and `[end:name]`, dedented), turns admonitions into plain headed blocks, keeps
solutions folded (`awaitlings solution EX` shows one once it passes), and renders the Markdown with rich.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

INCLUDE = re.compile(r'^(?P<indent>[ \t]*)--8<--\s+"(?P<target>[^"]+)"\s*$')
MARKER = re.compile(r"--8<--\s*\[(?P<edge>start|end):(?P<name>[^\]]+)\]")
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?P<kind>!!!|\?\?\?\+?)\s+(?P<type>\w+)(?:\s+"(?P<title>[^"]*)")?\s*$')


def strip_markers(code: str) -> str:
    """Source without the `--8<-- [start:x]` / `[end:x]` lines that only the site needs."""
    return "".join(line for line in code.splitlines(keepends=True) if not MARKER.search(line))


def section(path: Path, name: str | None) -> str:
    text = path.read_text(encoding="utf-8")
    if name is None:
        return strip_markers(text)
    out, inside = [], False
    for line in text.splitlines(keepends=True):
        found = MARKER.search(line)
        if found and found.group("name") == name:
            inside = found.group("edge") == "start"
            continue
        if inside and not found:
            out.append(line)
    if not out:
        raise KeyError(name)
    return textwrap.dedent("".join(out))


def expand(text: str, root: Path) -> str:
    """Replace every snippet include with the code it names (relative to the course root)."""
    lines = []
    for line in text.splitlines():
        found = INCLUDE.match(line)
        if not found:
            lines.append(line)
            continue
        target = found.group("target")
        path_part, _, name = target.partition(":")
        try:
            code = section(root / path_part, name or None)
        except (OSError, KeyError):
            code = f"(missing: {target})"
        lines.extend(found.group("indent") + code_line if code_line else "" for code_line in code.rstrip("\n").splitlines())
    return "\n".join(lines) + "\n"


def flatten_admonitions(text: str, solution_hint: str) -> str:
    """`!!! danger "Don't"` + an indented body → a bold heading and the body, unindented; a folded
    `??? success` solution keeps only a pointer to `awaitlings solution`."""
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        found = ADMONITION.match(lines[i])
        if not found:
            out.append(lines[i])
            i += 1
            continue
        indent = len(found.group("indent").expandtabs())
        body: list[str] = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or len(lines[i].expandtabs()) - len(lines[i].lstrip()) > indent):
            body.append(lines[i])
            i += 1
        title = found.group("title") or found.group("type").title()
        if found.group("kind").startswith("???") and found.group("type") == "success":
            out += [f"> **{title}**: {solution_hint}", ""]
            continue
        out += [f"> **{title}**", ">"]
        out += ["> " + line for line in textwrap.dedent("\n".join(body)).splitlines()]
        out.append("")
    return "\n".join(out) + "\n"


def lesson_text(lesson, lang: str = "en") -> str:
    readme = lesson.path / "README.md"
    if lang == "ko" and (lesson.path / "README.ko.md").exists():
        readme = lesson.path / "README.ko.md"
    hint = ("정답은 연습문제를 통과한 뒤 `awaitlings solution <연습문제>`로 볼 수 있어요." if lang == "ko"
            else "run `awaitlings solution <exercise>` once the exercise passes.")
    return flatten_admonitions(expand(readme.read_text(encoding="utf-8"), lesson.root), hint)


def show(lesson, lang: str = "en", plain: bool = False) -> int:
    text = lesson_text(lesson, lang)
    if plain:
        print(text, end="")
        return 0
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console()
    markdown = Markdown(text, code_theme="monokai", hyperlinks=False)
    if console.is_terminal:
        with console.pager(styles=True):
            console.print(markdown)
    else:
        console.print(markdown)
    return 0
