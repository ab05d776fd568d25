"""Grounded, cited answers: retrieve, pack, generate (or extract), verify, guard.

    answer = brain.ask("合同 HT2023-015 的总金额是多少？")
    answer.text, answer.citations[0].quote, answer.refused

Names are imported lazily so that `import ebrain.brain` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Answer": "ebrain.answer.types",
    "Citation": "ebrain.answer.types",
    "Answerer": "ebrain.answer.pipeline",
    "AskOptions": "ebrain.answer.pipeline",
    "Assistant": "ebrain.answer.assistants",
    "load_assistants": "ebrain.answer.assistants",
    "Conversation": "ebrain.answer.conversation",
    "PromptStore": "ebrain.answer.prompts",
    "PromptVersion": "ebrain.answer.prompts",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'ebrain.answer' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
