"""The fast sentence splitter, token estimate and normalizer agree with their plain definitions."""

from __future__ import annotations

import random
import re
from itertools import pairwise

from ebrain.text import estimate_tokens, normalize_text, split_sentences

_END = re.compile(
    r"(?:[。！？；!?;]|…{1,2}|\.{3})[”’」』）)\"']*"
    r"|(?<![A-Z][a-z])(?<!\b[A-Z])(?<=[a-z0-9%)\]\"'])\.(?=\s)"
    r"|\n+"
)
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[A-Za-z0-9]+(?:[-_.'][A-Za-z0-9]+)*")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b-\u200f\u2028\u2029\ufeff]")

_PIECES = [*"aZbQ09 .;!?\n\r\t'\"”’」』）)%]-_。！？；…\u3000\u00a0\u200b\x00\x85\u2003中文é“"]
_PIECES += ["Mr", "e.g", "U.S", "3.14", "  ", "\r\n", "……", "...", "\n\n\n"]


def _samples(n: int = 4000) -> list[str]:
    rng = random.Random(20240607)
    return ["".join(rng.choices(_PIECES, k=rng.randint(0, 24))) for _ in range(n)]


def _reference_split(text: str) -> list[tuple[int, int]]:
    bounds = [0, *(m.end() for m in _END.finditer(text)), len(text)]
    spans = []
    for start, end in pairwise(bounds):
        piece = text[start:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append((start + lead, start + len(piece.rstrip())))
    return spans


def _reference_tokens(text: str) -> int:
    cjk = sum(map(len, _CJK_RUN.findall(text)))
    return int(cjk * 0.7 + len(_WORD.findall(text)) * 1.3 + 0.5)


def _reference_normalize(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0\u3000]+", " ", _CONTROL.sub("", text))
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def test_split_sentences_matches_reference() -> None:
    for text in _samples():
        assert split_sentences(text) == _reference_split(text), repr(text)


def test_estimate_tokens_matches_reference() -> None:
    for text in _samples():
        assert estimate_tokens(text) == _reference_tokens(text), repr(text)


def test_normalize_text_matches_reference() -> None:
    for text in _samples():
        assert normalize_text(text) == _reference_normalize(text), repr(text)


def test_estimate_tokens_has_one_definition() -> None:
    from ebrain import models
    from ebrain.answer import context
    from ebrain.models import routing
    from ebrain.models.providers import openai_compat

    users = (models, context, routing, openai_compat)
    assert all(m.estimate_tokens is estimate_tokens for m in users)
