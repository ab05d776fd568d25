"""Snippets: the window sits on the densest run of matches (the same choice as counting every
pair of matches), and highlights point at the terms inside the window."""

from __future__ import annotations

import random

from ebrain.retrieve.snippet import highlight_spans, snippet


def _densest_by_pairs(text: str, terms: list[str], width: int) -> tuple[int, int]:
    spans = highlight_spans(text, terms)
    return max(spans, key=lambda s: sum(1 for o in spans if s[0] <= o[0] < s[0] + width))


def test_window_matches_the_pairwise_choice() -> None:
    rng = random.Random(7)
    words = ["合同", "付款", "验收", "pump", "warranty", "华川", "filler", "其他", "文本"]
    for _ in range(200):
        text = " ".join(rng.choice(words) for _ in range(rng.randint(40, 160)))
        terms = rng.sample(words[:6], 2)
        out, spans = snippet(text, terms, width=80)
        if not highlight_spans(text, terms):
            continue
        best = _densest_by_pairs(text, terms, 80)
        start = max(0, best[0] - 20)
        assert out.strip("…") == text[start : start + 80]
        for a, b in spans:
            assert out[a:b].lower() in {t.lower() for t in terms}


def test_short_text_is_whole_and_no_match_is_the_head() -> None:
    assert snippet("短文本 pump", ["pump"]) == ("短文本 pump", [(4, 8)])
    long = "x" * 400
    assert snippet(long, ["合同"]) == ("x" * 160 + "…", [])
