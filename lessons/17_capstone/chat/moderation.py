"""Which banned words a message contains (whole words, any case)."""

import re

from django.conf import settings


def banned_words_in(text: str) -> list[str]:
    words = {w.lower() for w in re.findall(r"\w+", text)}
    return [w for w in settings.BANNED_WORDS if w.lower() in words]
