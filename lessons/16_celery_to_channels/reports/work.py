"""The slow part of a report, course-owned: one row per step, each taking REPORT_STEP_SECONDS."""

import time

from django.conf import settings


def crunch_row(i: int) -> int:
    time.sleep(settings.REPORT_STEP_SECONDS)  # stands for a query, a chart, a page of a PDF
    return i * i
