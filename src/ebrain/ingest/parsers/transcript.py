"""Chat transcripts in JSON / JSONL (see docs/formats.md); other JSON as text of its values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.errors import ParseError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import clean_inline, make_document
from ebrain.ingest.parsers.encoding import decode_text

SPEAKER_KEYS = ("speaker", "from", "sender", "name", "user", "author")
TEXT_KEYS = ("text", "content", "message", "body", "utterance")
TIME_KEYS = ("time", "timestamp", "ts", "date", "created_at")
ROLE_KEYS = ("role", "speaker_role", "type")
MESSAGE_LIST_KEYS = ("messages", "turns", "dialogue", "conversation", "utterances")
# Generic JSON: stop after this many leaf values.
MAX_LEAVES = 200_000


@dataclass
class TranscriptParser:
    """Transcripts: one text block per message, 'speaker (role) [time]: text'."""

    name: str = "transcript"
    extensions: tuple[str, ...] = (".json", ".jsonl", ".ndjson")

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse a transcript, or fall back to the text of a JSON document's values."""
        warnings: list[str] = []
        text, _ = decode_text(data, warnings)
        obj = _load(text, path.suffix.lower())
        header, messages = _split(obj)
        if messages is not None:
            doc = _transcript_doc(path, header, messages)
        else:
            doc = _generic_doc(path, obj)
        doc.warnings += warnings
        return doc


def _load(text: str, suffix: str) -> Any:
    """A JSON value, or a list of values for JSON Lines."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if suffix == ".json" and "\n" not in text.strip():
            raise _bad_json(exc) from exc
        lines = [ln for ln in text.splitlines() if ln.strip()]
        try:
            return [json.loads(ln) for ln in lines]
        except json.JSONDecodeError as exc2:
            raise _bad_json(exc2) from exc2


def _bad_json(exc: json.JSONDecodeError) -> ParseError:
    return ParseError(
        "corrupt",
        f"not valid JSON or JSON Lines: {exc}",
        hint="check the file with `python -m json.tool FILE`",
    )


def _split(obj: Any) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    """(header fields, messages) when `obj` is a transcript, else ({}, None)."""
    if isinstance(obj, dict):
        for key in MESSAGE_LIST_KEYS:
            if _is_messages(obj.get(key)):
                return {k: v for k, v in obj.items() if k != key}, obj[key]
        return {}, None
    if _is_messages(obj):
        return {}, obj
    return {}, None


def _is_messages(value: Any) -> bool:
    """True for a non-empty list of dicts that mostly carry a text field."""
    if not isinstance(value, list) or not value:
        return False
    dicts = [v for v in value if isinstance(v, dict)]
    with_text = sum(1 for v in dicts if _first(v, TEXT_KEYS))
    return len(dicts) == len(value) and with_text >= len(value) * 0.8


def _first(obj: dict[str, Any], keys: tuple[str, ...]) -> str:
    """The first non-empty value among `keys`, as text."""
    for key in keys:
        value = obj.get(key)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def _transcript_doc(path: Path, header: dict[str, Any], messages: list[dict[str, Any]]) -> Document:
    """A Document with one block per message and the participants in meta."""
    blocks = [b for b in (_message_block(m) for m in messages) if b is not None]
    speakers = list(dict.fromkeys(s for m in messages if (s := _first(m, SPEAKER_KEYS))))
    roles = {_first(m, SPEAKER_KEYS): _first(m, ROLE_KEYS) for m in messages}
    meta: dict[str, Any] = {"kind": "transcript", "messages": len(blocks), "speakers": speakers}
    meta["roles"] = {s: r for s, r in roles.items() if s and r}
    for key in ("channel", "participants", "date", "id"):
        if key in header:
            meta[key] = header[key]
    doc = make_document(path, "transcript", blocks, str(header.get("title", "")))
    doc.meta = meta
    return doc


def _message_block(message: dict[str, Any]) -> Block | None:
    """'speaker (role) [time]: text' for one message."""
    text = _first(message, TEXT_KEYS)
    if not text:
        return None
    speaker = _first(message, SPEAKER_KEYS) or "?"
    role = _first(message, ROLE_KEYS)
    time = _first(message, TIME_KEYS)
    label = speaker + (f" ({role})" if role else "") + (f" [{time}]" if time else "")
    return Block(f"{label}: {text}", "text")


def _generic_doc(path: Path, obj: Any) -> Document:
    """A JSON document that is not a transcript: 'key.path: value' lines of its leaf values."""
    lines: list[str] = []
    _leaves(obj, "", lines)
    if not any(ch.isalpha() for ln in lines for ch in ln.split(": ", 1)[-1]):
        raise ParseError(
            "unsupported",
            "the JSON file holds no text and is not a chat transcript",
            hint="see docs/formats.md for the transcript schema ebrain reads",
        )
    blocks = [Block("\n".join(lines[i : i + 50]), "text") for i in range(0, len(lines), 50)]
    title = str(obj.get("title", "")) if isinstance(obj, dict) else ""
    doc = make_document(path, "json", blocks, title)
    doc.meta = {"kind": "json"}
    return doc


def _leaves(obj: Any, prefix: str, out: list[str]) -> None:
    """Append 'path: value' for every string / number leaf of `obj`."""
    if len(out) >= MAX_LEAVES:
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            _leaves(value, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(obj, list):
        for index, value in enumerate(obj):
            _leaves(value, f"{prefix}[{index}]", out)
    elif isinstance(obj, str) and obj.strip():
        out.append(f"{prefix}: {clean_inline(obj)}" if prefix else clean_inline(obj))
    elif isinstance(obj, int | float) and not isinstance(obj, bool):
        out.append(f"{prefix}: {obj}" if prefix else str(obj))


PARSER = TranscriptParser()
