"""Grounded, cited answers: retrieve, pack, generate (or extract), verify, guard.

answer = brain.ask("合同 HT2023-015 的总金额是多少？")
answer.text, answer.citations[0].quote, answer.refused
"""

from __future__ import annotations

from ebrain.answer.assistants import Assistant, load_assistants
from ebrain.answer.conversation import Conversation
from ebrain.answer.pipeline import Answerer, AskOptions
from ebrain.answer.prompts import PromptStore, PromptVersion
from ebrain.answer.types import Answer, Citation

__all__ = [
    "Answer",
    "Answerer",
    "AskOptions",
    "Assistant",
    "Citation",
    "Conversation",
    "PromptStore",
    "PromptVersion",
    "load_assistants",
]
