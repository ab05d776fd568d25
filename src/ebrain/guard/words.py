"""Sensitive words: user-managed dictionaries matched with Aho-Corasick (pyahocorasick)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from ebrain.errors import ConfigError
from ebrain.guard.types import Finding

EXAMPLE = "sensitive_words.example.yaml"


@dataclass(frozen=True)
class Term:
    """One dictionary entry: the word, its category and the action it asks for."""

    word: str
    category: str
    action: str = "flag"


def _fold_char(ch: str) -> str:
    """One character width-folded and lower-cased, or itself when folding changes the length."""
    folded = unicodedata.normalize("NFKC", ch).lower()
    return folded if len(folded) == 1 else ch


def _fold(text: str) -> str:
    """Width-folded lower-case text with the same length (one char in, one char out)."""
    return "".join(_fold_char(ch) for ch in text)


def load_terms(path: Path) -> list[Term]:
    """Terms from YAML ({category: {action, words}}) or TXT (word[<TAB>category[<TAB>action]])."""
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in {".yaml", ".yml"}:
        return _yaml_terms(yaml.safe_load(text) or {}, path)
    terms = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split("\t")]
        if parts[0] and not parts[0].startswith("#"):
            terms.append(Term(parts[0], *(parts[1:3] if len(parts) > 1 else ["custom"])))
    return terms


def _yaml_terms(data: Any, path: Path) -> list[Term]:
    """Terms from the YAML mapping of categories."""
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of categories", hint="see docs/guard.md")
    terms = []
    for category, spec in data.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("words"), list):
            raise ConfigError(f"{path}: category {category!r} needs a 'words' list")
        action = str(spec.get("action", "flag"))
        terms += [Term(str(w), str(category), action) for w in spec["words"]]
    return terms


def example_terms() -> list[Term]:
    """The example dictionary that ships with ebrain."""
    ref = resources.files("ebrain.guard").joinpath("data", EXAMPLE)
    with resources.as_file(ref) as path:
        return load_terms(path)


@dataclass
class WordScanner:
    """Finds dictionary words (width- and case-folded) in one pass over the text."""

    terms: list[Term] = field(default_factory=list)
    name: str = "words"

    def __post_init__(self) -> None:
        self._automaton: Any = ahocorasick.Automaton()
        for term in self.terms:
            self._automaton.add_word(_fold(term.word), term)
        if self.terms:
            self._automaton.make_automaton()

    @classmethod
    def from_files(cls, paths: list[Path]) -> WordScanner:
        """A scanner over the terms of several dictionary files."""
        return cls([t for p in paths for t in load_terms(p)])

    def scan(self, text: str) -> list[Finding]:
        """One finding per occurrence; its action is the term's own."""
        if not self.terms:
            return []
        out = []
        for end, term in self._automaton.iter(_fold(text)):
            start = end - len(term.word) + 1
            label = term.category.upper()
            out.append(Finding(self.name, term.category, term.action, start, end + 1, label))
        return out
