"""Bilingual (English / Simplified Chinese) user-facing messages."""

from __future__ import annotations

import os
import re

_CJK = re.compile(r"[\u4e00-\u9fff]")


def current_locale() -> str:
    """'zh' or 'en': EBRAIN_LOCALE first, then LC_ALL / LC_MESSAGES / LANG."""
    for var in ("EBRAIN_LOCALE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def lang_of(text: str) -> str:
    """The language a user wrote in: 'zh' if the text holds Chinese characters, else 'en'."""
    return "zh" if _CJK.search(text or "") else "en"


def say(en: str, zh: str, lang: str | None = None) -> str:
    """Pick the English or Chinese variant of a message (default: the locale)."""
    return zh if (lang or current_locale()) == "zh" else en
