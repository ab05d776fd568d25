"""Text utilities shared by ingest, index and answer: normalization, language, sentences."""

from ebrain.text.analyzer import FTS5_TOKENIZE, Analyzer, fold
from ebrain.text.lang import detect_lang, estimate_tokens, is_cjk
from ebrain.text.normalize import normalize_text
from ebrain.text.sentences import split_sentences

__all__ = [
    "FTS5_TOKENIZE",
    "Analyzer",
    "detect_lang",
    "estimate_tokens",
    "fold",
    "is_cjk",
    "normalize_text",
    "split_sentences",
]
