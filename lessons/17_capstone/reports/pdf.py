"""Render a report as a real PDF with fpdf2 (pure Python: no system libraries, no browser).

Hangul needs a font that has it: the PDF's built-in fonts (Helvetica...) are Latin-1 only. We embed
NanumGothic when the machine has it (Debian/Ubuntu: `apt-get install fonts-nanum`; or set REPORT_FONT to
any .ttf with Hangul); without one the report falls back to Helvetica and replaces what it can't draw."""

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from fpdf import FPDF

# fontTools reports every table it drops while subsetting the embedded font: noise in a worker's log.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONT_CANDIDATES = [
    os.environ.get("REPORT_FONT", ""),
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


def hangul_font() -> str | None:
    return next((p for p in FONT_CANDIDATES if p and Path(p).is_file()), None)


class ReportPDF(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.font_path = hangul_font()
        if self.font_path:
            self.add_font("Report", fname=self.font_path)
            self.family = "Report"
        else:
            self.family = "Helvetica"
        self.set_auto_page_break(auto=True, margin=15)

    def text_(self, text: str) -> str:
        return text if self.font_path else text.encode("latin-1", "replace").decode("latin-1")

    def heading(self, text: str, size: int = 14) -> None:
        self.set_font(self.family, size=size)
        self.cell(0, 10, self.text_(text), new_x="LMARGIN", new_y="NEXT")
        self.set_font(self.family, size=10)

    def line_(self, text: str) -> None:
        self.multi_cell(0, 6, self.text_(text), new_x="LMARGIN", new_y="NEXT")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, size=8)
        self.cell(0, 8, f"awaitlings capstone - page {self.page_no()}", align="C")


# --8<-- [start:render]
def render_pdf(data: dict, progress: Callable[[int], None] | None = None) -> bytes:
    """The PDF of `collect(user_id)`'s data. Calls progress(percent) after each section."""
    pdf = ReportPDF()
    sections = [cover, projects, recent_messages, closing]
    for done, section in enumerate(sections, start=1):
        section(pdf, data)
        time.sleep(settings.REPORT_STEP_DELAY)  # stands in for a heavy query per section
        if progress:
            progress(round(100 * done / len(sections)))
    return bytes(pdf.output())
# --8<-- [end:render]


def cover(pdf: ReportPDF, data: dict) -> None:
    pdf.add_page()
    pdf.heading(f"Activity report: {data['name']} ({data['user']})", size=18)
    if pdf.font_path:
        pdf.line_("활동 보고서")
    pdf.line_(f"Generated {data['generated']} by a Celery worker on the reports queue.")


def projects(pdf: ReportPDF, data: dict) -> None:
    pdf.heading("Projects")
    for p in data["projects"]:
        pdf.line_(f"{p['org']} / {p['project']} (#{p['slug']}): {p['total']} messages, "
                  f"{p['mine']} by you, {p['flagged']} flagged")
    if not data["projects"]:
        pdf.line_("No projects yet.")


def recent_messages(pdf: ReportPDF, data: dict) -> None:
    pdf.heading("Your latest messages")
    for m in data["recent"]:
        pdf.line_(f"[{m['at']}] #{m['project']}: {m['body']}" + ("  (flagged)" if m["flagged"] else ""))
    if not data["recent"]:
        pdf.line_("No messages yet.")


def closing(pdf: ReportPDF, data: dict) -> None:
    pdf.heading("Summary")
    total = sum(p["mine"] for p in data["projects"])
    pdf.line_(f"{total} messages in {len(data['projects'])} projects.")
