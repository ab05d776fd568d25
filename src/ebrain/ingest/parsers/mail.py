"""E-mail (.eml): headers into meta and a header block, the body, attachments parsed in turn."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ebrain.errors import EbrainError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import make_document, text_blocks
from ebrain.ingest.parsers.webpage import html_blocks

HEADER_FIELDS = ("From", "To", "Cc", "Subject", "Date")


@dataclass
class EmlParser:
    """RFC 822 / MIME messages via the standard library."""

    name: str = "eml"
    extensions: tuple[str, ...] = (".eml",)

    def parse(self, path: Path, data: bytes) -> Document:
        """Header block, body (plain text preferred, else HTML), then each attachment."""
        msg = email.message_from_bytes(data, policy=email.policy.default)
        if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default guarantees it
            raise TypeError("unexpected message class")
        headers = {k.lower(): str(msg[k]) for k in HEADER_FIELDS if msg[k] is not None}
        blocks = [header_block(headers)] if headers else []
        blocks += _body_blocks(msg)
        attachments = [
            (part.get_filename() or "attachment", part.get_payload(decode=True) or b"")
            for part in msg.iter_attachments()
        ]
        warnings = add_attachments(blocks, attachments)
        doc = make_document(path, "eml", blocks, headers.get("subject", ""))
        doc.meta = {**headers, "attachments": [name for name, _ in attachments]}
        doc.warnings = warnings
        return doc


def header_block(headers: dict[str, str]) -> Block:
    """'From: ...' lines as one text block."""
    lines = [f"{k.capitalize()}: {v}" for k, v in headers.items() if v]
    return Block("\n".join(lines), "text")


def _body_blocks(msg: EmailMessage) -> list[Block]:
    """Blocks of the text/plain body, else of the text/html body."""
    body = msg.get_body(preferencelist=("plain", "html"))
    if body is None:
        return []
    try:
        content = body.get_content()
    except (LookupError, UnicodeError):
        payload = body.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if body.get_content_subtype() == "html":
        return html_blocks(str(content))[1]
    return text_blocks(str(content))


def add_attachments(blocks: list[Block], attachments: list[tuple[str, Any]]) -> list[str]:
    """Parse each (name, bytes) attachment into blocks under ('Attachment: name',); warnings."""
    from ebrain.ingest.parsers.dispatch import parse_bytes

    warnings: list[str] = []
    for name, payload in attachments:
        data = payload if isinstance(payload, bytes) else str(payload).encode("utf-8")
        try:
            sub = parse_bytes(Path(name), data)
        except EbrainError as exc:
            warnings.append(f"attachment {name!r} skipped: {exc.message}")
            continue
        prefix = (f"Attachment: {name}",)
        blocks += [replace(b, heading_path=prefix + b.heading_path) for b in sub.blocks]
        warnings += [f"attachment {name!r}: {w}" for w in sub.warnings]
    return warnings


PARSER = EmlParser()
