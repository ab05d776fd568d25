"""Search analysis: the one function from text to index terms, used at ingest and at query time.

Pipeline (see docs/analysis.md): fold (NFKC width folding, lower case, Traditional -> Simplified
with OpenCC "tw2sp") -> scan into Chinese runs and Latin/digit tokens -> Chinese runs through an
isolated jieba tokenizer in search mode, Latin words through stop words and the Snowball English
stemmer, numbers and codes kept whole and split into parts.

Every term is lower case, holds no space and only letters, digits, CJK and '-', '_', '.' inside,
so it survives SQLite FTS5 `tokenize="unicode61 remove_diacritics 0 tokenchars '-_.'"` unchanged.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from importlib import resources
from typing import Any

FTS5_TOKENIZE = "unicode61 remove_diacritics 0 tokenchars '-_.'"
OPENCC_CONFIG = "tw2sp"

_CJK_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK = re.compile(f"[{_CJK_CLASS}]")
_UNIT = rf"[^\W_{_CJK_CLASS}]+"
_SCAN = re.compile(rf"(?P<cjk>[{_CJK_CLASS}]+)|(?P<tok>{_UNIT}(?:[-_.]{_UNIT})*)")
_THOUSANDS = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
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
    """One jieba tokenizer with the default dictionary, loaded once per process, never mutated."""
    import jieba

    logging.getLogger("jieba").setLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def _own_tokenizer(words: Iterable[str]) -> Any:
    """A private jieba tokenizer: the default dictionary (copied, not reloaded) plus `words`."""
    import jieba

    base = _base_tokenizer()
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    for word in words:
        tokenizer.add_word(word)
    return tokenizer


class _Segmenter:
    """jieba's search-mode segmentation (same dictionary, same result), in one faster pass."""

    def __init__(self, tokenizer: Any, hmm: bool) -> None:
        from jieba import finalseg

        self.freq: dict[str, int] = tokenizer.FREQ
        self.logtotal = math.log(tokenizer.total)
        self.hmm_cut = finalseg.cut if hmm else None

    def search(self, run: str) -> list[str]:
        """Words of `run` as `jieba.Tokenizer.cut_for_search(run)` yields them."""
        freq = self.freq
        out: list[str] = []
        for word in self.cut(run):
            n = len(word)
            if n > 2:
                out.extend(g for i in range(n - 1) if freq.get(g := word[i : i + 2]))
            if n > 3:
                out.extend(g for i in range(n - 2) if freq.get(g := word[i : i + 3]))
            out.append(word)
        return out

    def route(self, s: str) -> list[int]:
        """End index of the best word starting at each position (jieba's get_DAG + calc)."""
        freq, logtotal, n = self.freq, self.logtotal, len(s)
        score, end = [0.0] * (n + 1), [0] * (n + 1)
        for k in range(n - 1, -1, -1):
            best, best_x, i, frag = -math.inf, k, k, s[k]
            while i < n and frag in freq:
                f = freq[frag]
                if f and (sc := math.log(f) - logtotal + score[i + 1]) >= best:
                    best, best_x = sc, i
                i += 1
                frag = s[k : i + 1]
            if best == -math.inf:
                best = math.log(freq.get(s[k]) or 1) - logtotal + score[k + 1]
            score[k], end[k] = best, best_x
        return end

    def cut(self, s: str) -> list[str]:
        """Precise-mode words of `s` (jieba's __cut_DAG, HMM for unknown runs when enabled)."""
        end, buf, x, n = self.route(s), "", 0, len(s)
        out: list[str] = []
        while x < n:
            y = end[x] + 1
            if y - x == 1:
                buf += s[x]
            else:
                if buf:
                    out.extend(self._unknown(buf))
                    buf = ""
                out.append(s[x:y])
            x = y
        if buf:
            out.extend(self._unknown(buf))
        return out

    def _unknown(self, buf: str) -> list[str]:
        if len(buf) == 1 or self.hmm_cut is None or self.freq.get(buf):
            return list(buf)
        return list(self.hmm_cut(buf))


def fold(text: str) -> str:
    """Fold width, case and script: `ＨＴ－２０００` -> `ht-2000`, 資料庫 -> 数据库."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), text)
    if _CJK.search(text):
        text = _opencc().convert(text)
    return text


def safe_term(text: str) -> str:
    """Make a string one FTS5 token: disallowed characters become '_', no separator at the ends."""
    return _UNSAFE.sub("_", text).strip("_.-")


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


class Analyzer:
    """Turns Chinese/English text into search terms; the same rules at index and query time."""

    def __init__(
        self, user_words: Iterable[str] = (), stopwords: bool = True, hmm: bool = True
    ) -> None:
        self.user_words = tuple(dict.fromkeys(w.strip() for w in user_words if w.strip()))
        self.stopwords = stopwords
        self.hmm = hmm
        self._tokenizer: Any = None
        self._segmenter: _Segmenter | None = None
        self._codes: dict[str, tuple[str, ...]] = {}
        self._setup_user_words()

    def _setup_user_words(self) -> None:
        """Chinese user words go to jieba, Latin ones stay whole, mixed ones are matched first."""
        folded = [fold(w) for w in self.user_words]
        self._jieba_words = [w for w in folded if _SCAN.fullmatch(w) and _CJK.match(w)]
        self._keep = frozenset(w for w in folded if _SCAN.fullmatch(w) and not _CJK.match(w))
        mixed = sorted((w for w in folded if not _SCAN.fullmatch(w)), key=len, reverse=True)
        self._mixed = re.compile("|".join(map(re.escape, mixed))) if mixed else None
        en, zh = (_stopwords("en"), _stopwords("zh")) if self.stopwords else (frozenset(),) * 2
        self._stop = (en | zh) - set(folded)

    @property
    def tokenizer(self) -> Any:
        """This analyzer's jieba tokenizer, built on first use (shared when there are no words)."""
        if self._tokenizer is None:
            with _lock:
                if self._tokenizer is None:
                    words = self._jieba_words
                    self._tokenizer = _own_tokenizer(words) if words else _base_tokenizer()
        return self._tokenizer

    @property
    def segmenter(self) -> _Segmenter:
        """The fast search-mode segmenter over this analyzer's jieba dictionary."""
        if self._segmenter is None:
            self._segmenter = _Segmenter(self.tokenizer, self.hmm)
        return self._segmenter

    def terms(self, text: str) -> list[str]:
        """Index terms of `text`, in order, with repeats (for BM25 term frequencies)."""
        return list(self._iter_terms(fold(text)))

    def query_terms(self, text: str) -> list[str]:
        """Query terms of `text`: the same terms as `terms`, each once, in first-seen order."""
        return list(dict.fromkeys(self._iter_terms(fold(text))))

    def _iter_terms(self, text: str) -> Iterator[str]:
        if self._mixed is not None:
            for match in self._mixed.finditer(text):
                term = safe_term(match.group(0))
                if term:
                    yield term
        for match in _SCAN.finditer(text):
            run = match.group("cjk")
            if run is not None:
                yield from self._chinese(run)
            else:
                yield from self._token(match.group("tok"))

    def _chinese(self, run: str) -> Iterator[str]:
        """Search-mode jieba words of one run of Chinese characters, less stop words."""
        stop = self._stop
        for word in self.segmenter.search(run):
            if word not in stop:
                yield word

    def _token(self, token: str) -> tuple[str, ...]:
        """Terms of one Latin/digit token: a word, a user word, or a code (whole + parts)."""
        cached = self._codes.get(token)
        if cached is None:
            cached = self._expand(token)
            if len(self._codes) < 200_000:
                self._codes[token] = cached
        return cached

    def _expand(self, token: str) -> tuple[str, ...]:
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
