"""Rough token counts for routing and for servers that report no usage."""

from __future__ import annotations

import math
import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9_]+|[^\sA-Za-z0-9_\u3400-\u9fff\uf900-\ufaff]")


def estimate_tokens(text: str) -> int:
    """About one token per Chinese character and 1.3 per English word or symbol."""
    if not text:
        return 0
    cjk = len(_CJK.findall(text))
    other = len(_WORD.findall(text))
    return cjk + math.ceil(other * 1.3)
