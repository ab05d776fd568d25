"""Search analysis: the one function from text to index terms, used at ingest and at query time.

Pipeline (see docs/analysis.md): fold (NFKC width folding, lower case, Traditional -> Simplified
with OpenCC "tw2sp") -> scan into Chinese runs and Latin/digit tokens -> Chinese runs through an
isolated jieba tokenizer in search mode (jieba-rs through rjieba: jieba's dictionary, HMM and
search-mode rules, compiled), Latin words through stop words and the Snowball English
stemmer, numbers and codes kept whole and split into parts.

Every term is lower case, holds no space and only letters, digits, CJK and '-', '_', '.' inside,
so it survives SQLite FTS5 `tokenize="unicode61 remove_diacritics 0 tokenchars '-_.'"` unchanged.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from importlib import resources
from itertools import chain, filterfalse
from typing import Any

FTS5_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '-_.'"
OPENCC_CONFIG = "tw2sp"

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_UNIT_CHAR = rf"[^\W_{_CJK_CLASS}]"
_UNIT = rf"{_UNIT_CHAR}+"
# Chinese runs and Latin/digit tokens, written 'X X*' rather than 'X+' so that re skips
# non-starting characters in its fast prefix loop (same language, same greedy matches).
_RUN = re.compile(f"[{_CJK_CLASS}][{_CJK_CLASS}]*")
_TOKEN = re.compile(rf"{_UNIT_CHAR}{_UNIT_CHAR}*(?:[-_.]{_UNIT})*")
_SCAN = re.compile(f"(?P<cjk>{_RUN.pattern})|(?P<tok>{_TOKEN.pattern})")  # either one
# Digit groups: (?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,]), with the look-behind moved after the
# first digit (where it still tests the character before it) so that re's fast prefix loop can
# skip to digits; the same matches, tried in the same order.
_THOUSANDS = re.compile(r"\d(?<![\d.,]\d)\d{0,2}(?:,\d{3})+(?![\d,])")
# A digit, comma, digit: every _THOUSANDS match holds one, so without it there is nothing to sub.
_THOUSANDS_HINT = re.compile(r",\d(?<=\d,\d)")
# Common full-width punctuation and its NFKD form. NFKC(s) is compose(NFKD(s)), and NFKD only
# decomposes each character and reorders combining marks, so swapping a character for its own
# NFKD never changes NFKC(s); it lets NFKC's quick check pass most Chinese text untouched.
_WIDE = tuple((c, unicodedata.normalize("NFKD", c)) for c in "，（）：；？！\u3000")
_SPLIT = re.compile(r"[-_.]")
_ALNUM_RUNS = re.compile(r"[a-z]+|\d+")
_ASCII_WORD = re.compile(r"[a-z]+")
_DECIMAL = re.compile(r"\d+\.\d+")
_UNSAFE = re.compile(r"[^\w.-]+")

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _opencc() -> Any:
    """The shared Traditional -> Simplified converter (built on first use)."""
    import opencc

    return opencc.OpenCC(OPENCC_CONFIG)


@lru_cache(maxsize=2)
def _stopwords(lang: str) -> frozenset[str]:
    """The curated stop-word list for 'en' or 'zh' from ebrain/text/data."""
    text = resources.files("ebrain.text.data").joinpath(f"stopwords_{lang}.txt").read_text("utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(w for w in lines if w and not w.startswith("#"))


@lru_cache(maxsize=1)
def _base_tokenizer() -> Any:
    """The jieba tokenizer (jieba-rs) with the default dictionary, never mutated: rjieba's own
    default instance, which its import builds anyway (building a second one costs 0.2 s)."""
    import rjieba

    return rjieba


def _own_tokenizer(words: Iterable[str]) -> Any:
    """A private jieba tokenizer: the default dictionary plus `words` (frequency suggested)."""
    import rjieba

    tokenizer = rjieba.Jieba()
    for word in words:
        tokenizer.add_word(word, None, None)
    return tokenizer


def fold(text: str) -> str:
    """Fold width, case and script: `ＨＴ－２０００` -> `ht-2000`, 資料庫 -> 数据库."""
    if not text.isascii():
        for wide, narrow in _WIDE:
            if wide in text:
                text = text.replace(wide, narrow)
    text = unicodedata.normalize("NFKC", text).lower()
    if _THOUSANDS_HINT.search(text):
        text = _THOUSANDS.sub(_drop_commas, text)
    if _CJK.search(text):
        text = _opencc().convert(text)
    return text


def _drop_commas(match: re.Match[str]) -> str:
    """`1,000,000` -> `1000000` (a _THOUSANDS match)."""
    return match.group(0).replace(",", "")


def safe_term(text: str) -> str:
    """Make a string one FTS5 token: disallowed characters become '_', no separator at the ends."""
    return _UNSAFE.sub("_", text).strip("_.-")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


class _Expansions(dict[str, tuple[str, ...]]):
    """Token -> its terms, computed by `expand` on first lookup (at most 200,000 kept)."""

    def __init__(self, expand: Callable[[str], tuple[str, ...]]) -> None:
        super().__init__()
        self._expand = expand

    def __missing__(self, token: str) -> tuple[str, ...]:
        terms = self._expand(token)
        if len(self) < 200_000:
            self[token] = terms
        return terms


class Analyzer:
    """Turns Chinese/English text into search terms; the same rules at index and query time."""

    def __init__(
        self, user_words: Iterable[str] = (), stopwords: bool = True, hmm: bool = True
    ) -> None:
        self.user_words = tuple(dict.fromkeys(w.strip() for w in user_words if w.strip()))
        self.stopwords = stopwords
        self.hmm = hmm
        self._tokenizer: Any = None
        self._codes = _Expansions(self._expand)
        self._setup_user_words()
        # The read path analyzes the same retrieved chunks and sentences question after
        # question: their term sets are kept (bounded; thread-safe).
        self.term_set: Callable[[str], frozenset[str]] = lru_cache(maxsize=16_384)(self._term_set)

    def _setup_user_words(self) -> None:
        """Chinese user words go to jieba, Latin ones stay whole, mixed ones are matched first."""
        folded = [fold(w) for w in self.user_words]
        self._jieba_words = [w for w in folded if _SCAN.fullmatch(w) and _CJK.match(w)]
        self._keep = frozenset(w for w in folded if _SCAN.fullmatch(w) and not _CJK.match(w))
        mixed = sorted((w for w in folded if not _SCAN.fullmatch(w)), key=len, reverse=True)
        self._mixed = re.compile("|".join(map(re.escape, mixed))) if mixed else None
        en, zh = (_stopwords("en"), _stopwords("zh")) if self.stopwords else (frozenset(),) * 2
        self._stop = (en | zh | {"\n"}) - set(folded)  # "\n": the run separator of _terms

    @property
    def tokenizer(self) -> Any:
        """This analyzer's jieba tokenizer, built on first use (shared when there are no words)."""
        if self._tokenizer is None:
            with _lock:
                if self._tokenizer is None:
                    words = self._jieba_words
                    self._tokenizer = _own_tokenizer(words) if words else _base_tokenizer()
        return self._tokenizer

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order, with repeats (for BM25 term frequencies)."""
        return self._terms(fold(text))

    def _term_set(self, text: str) -> frozenset[str]:
        """The distinct index terms of `text` (memoized as `term_set`)."""
        return frozenset(self.terms(text))

    def query_terms(self, text: str) -> list[str]:
        """Query terms of `text`: the same terms as `terms`, each once, in first-seen order."""
        return list(dict.fromkeys(self._terms(fold(text))))

    def _terms(self, text: str) -> list[str]:
        """Terms of folded `text`: mixed user words, Latin/digit terms, then the Chinese words
        (all Chinese runs segmented in one jieba call: one call per run cost more than the
        segmentation; runs stay apart because jieba splits its input at the newlines).
        _TOKEN and _RUN find the same tokens and runs as _SCAN: the two share no character."""
        out: list[str] = []
        if self._mixed is not None:
            found = (safe_term(m.group(0)) for m in self._mixed.finditer(text))
            out.extend(term for term in found if term)
        out.extend(chain.from_iterable(map(self._codes.__getitem__, _TOKEN.findall(text))))
        runs = _RUN.findall(text)
        if runs:
            words = self.tokenizer.cut_for_search("\n".join(runs), self.hmm)
            out.extend(filterfalse(self._stop.__contains__, words))
        return out

    def _expand(self, token: str) -> tuple[str, ...]:
        """Terms of one Latin/digit token: a word, a user word, or a code (whole + parts)."""
        if token in self._keep:
            return (token,)
        if _ASCII_WORD.fullmatch(token):
            return self._word(token)
        if token.isdigit() or _DECIMAL.fullmatch(token):
            return (token,)
        if token.isalnum() and not token.isascii():
            return (token,)
        return (token, *self._parts(token))

    def _word(self, word: str) -> tuple[str, ...]:
        """An English word, stemmed, or nothing when it is a stop word."""
        if word in self._stop:
            return ()
        return (_stemmer().stemWord(word),)

    def _parts(self, code: str) -> list[str]:
        """Parts of a code: pieces between '-', '_', '.', and letter/digit runs of mixed pieces."""
        out: list[str] = []
        pieces = [p for p in _SPLIT.split(code) if p]
        for piece in pieces if len(pieces) > 1 else []:
            out.extend(self._word(piece) if _ASCII_WORD.fullmatch(piece) else (piece,))
        for piece in pieces:
            runs = _ALNUM_RUNS.findall(piece)
            if len(runs) > 1 and "".join(runs) == piece:
                out.extend(r for r in runs if len(r) > 1 or r.isdigit())
        return [p for p in dict.fromkeys(out) if p != code]
