"""Optional query translation for cross-lingual search (setting `search.translate_query`).

Dense retrieval already crosses languages (the bundled multilingual-e5 model puts a Chinese
question and an English passage near each other); BM25 does not. With a chat model configured
and the setting on, the query is translated once (Chinese -> English, anything else ->
Simplified Chinese) by that model, and the translation's terms join the original terms on the
lexical side only. Translations are cached (bounded LRU, per process); a failed or odd reply
leaves the search lexical-as-before and adds a note.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable

from ebrain.errors import EbrainError
from ebrain.models.types import CompletionRequest

Complete = Callable[[CompletionRequest], str]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
SYSTEM = (
    "You translate search queries. Reply with the translation of the user's query into {lang} "
    "only: no quotes, no explanation. Keep product codes, numbers and names as they are."
)


def target_language(query: str) -> str:
    """The language to translate `query` into: English for a mostly-Chinese query, else Chinese."""
    letters = [c for c in query if c.isalpha()]
    cjk = sum(1 for c in letters if _CJK.match(c))
    return "English" if letters and cjk / len(letters) >= 0.3 else "Simplified Chinese"


class QueryTranslator:
    """Translates queries with a chat model, remembering the last `capacity` translations."""

    def __init__(self, complete: Complete, capacity: int = 2048, max_chars: int = 500) -> None:
        self.complete = complete
        self.capacity = capacity
        self.max_chars = max_chars
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def translate(self, query: str) -> str:
        """The translation of `query` (cached); raises EbrainError when the model fails."""
        key = query.strip()
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        lang = target_language(key)
        request = CompletionRequest.from_prompt(
            key[: self.max_chars], SYSTEM.format(lang=lang), max_tokens=200, temperature=0.0
        )
        text = clean(self.complete(request), self.max_chars)
        with self._lock:
            self._cache[key] = text
            while len(self._cache) > self.capacity:
                self._cache.popitem(last=False)
        return text

    def cached(self) -> int:
        """How many translations are cached."""
        return len(self._cache)


def clean(reply: str, max_chars: int) -> str:
    """The first non-empty line of a model reply, unquoted and bounded."""
    for line in reply.splitlines():
        line = line.strip().strip("\"'“”‘’「」").strip()
        if line:
            return line[:max_chars]
    raise EbrainError("the model returned an empty translation")
