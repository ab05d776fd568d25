"""E-mail (.eml): headers into meta and a header block, the body, attachments parsed in turn.

The MIME tree is read with the fast compat32 policy (raw header strings); the few headers whose
decoded form shows up in the output go through policy.default's header classes one by one, so
the text is what policy.default gives without paying for it on every header of every part.
"""

from __future__ import annotations

import email
import email.utils
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from email.message import Message
from pathlib import Path
from typing import Any

from ebrain.errors import EbrainError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import make_document, text_blocks
from ebrain.ingest.parsers.webpage import html_blocks

HEADER_FIELDS = ("From", "To", "Cc", "Subject", "Date")
_BODY_TYPES = {
    ("text", "plain"),
    ("text", "html"),
    ("multipart", "related"),
    ("multipart", "alternative"),
}
_LINESEP = re.compile(r"\n|\r")
_TOKEN = re.compile(r"[ \t\r\n]*([^\s()<>@,;:\\\"/\[\]?=]+)")
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
_MAILBOX = re.compile(
    rf"[ \t]*(?:(?P<name>{_ATEXT}(?:[ \t]+{_ATEXT})*)[ \t]*<(?P<address>{_DOT_ATOM}@{_DOT_ATOM})>"
    rf"|(?P<bare>{_DOT_ATOM}@{_DOT_ATOM}))[ \t]*"
)
_ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


@dataclass
class EmlParser:
    """RFC 822 / MIME messages via the standard library."""

    name: str = "eml"
    extensions: tuple[str, ...] = (".eml",)

    def parse(self, path: Path, data: bytes) -> Document:
        """Header block, body (plain text preferred, else HTML), then each attachment."""
        msg = email.message_from_bytes(data)
        headers = {k.lower(): v for k in HEADER_FIELDS if (v := header_text(msg, k)) is not None}
        blocks = [header_block(headers)] if headers else []
        blocks += _body_blocks(msg)
        attachments = [
            (filename(part) or "attachment", part.get_payload(decode=True) or b"")
            for part in _attachments(msg)
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


def raw_header(msg: Message, name: str) -> str | None:
    """The first `name` header as stored, unfolded (line breaks removed), or None."""
    lowered = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == lowered:
            return "".join(_LINESEP.split(str(value)))
    return None


def header_text(msg: Message, name: str) -> str | None:
    """The first `name` header decoded as policy.default shows it (RFC 2047 words decoded)."""
    import email.policy

    value = raw_header(msg, name)
    if value is None:
        return None
    quick = _plain_header(name.lower(), value) if value.isascii() else None
    if quick is not None:
        return quick
    return str(email.policy.default.header_factory(name, value))


def _plain_header(name: str, value: str) -> str | None:
    """policy.default's text of a From / To / Cc / Subject / Date header in the common simple
    forms, computed directly; None where only the full header parser can tell."""
    if name == "subject":
        return None if "=?" in value else value  # no encoded words: it reads as stored
    if name == "date":
        if not value:
            return ""
        try:  # what DateHeader does: the normalized timestamp, else the text as it is
            return email.utils.format_datetime(email.utils.parsedate_to_datetime(value))
        except ValueError:
            return value
    if name in ("from", "to", "cc"):
        boxes = [_mailbox(item) for item in value.split(",")]
        return None if None in boxes else ", ".join(b for b in boxes if b is not None)
    return None


def _mailbox(item: str) -> str | None:
    """'Name <user@host>' or 'user@host' as AddressHeader renders it; None for other forms."""
    from email._header_value_parser import SPECIALS, quote_string

    match = _MAILBOX.fullmatch(item)
    address = match.group("address") or match.group("bare") if match else None
    if match is None or address is None or "=?" in address:
        return None
    name: str | None = match.group("name") or ""
    if name and "=?" in name:
        name = _encoded_name(name)
    if name is None:
        return None
    name = " ".join(name.split())
    if not name:
        return address
    return f"{quote_string(name) if not SPECIALS.isdisjoint(name) else name} <{address}>"


def _encoded_name(word: str) -> str | None:
    """A display name that is one clean RFC 2047 word, decoded (by the decoder policy.default
    uses); None for anything less plain."""
    from email import _encoded_words  # type: ignore[attr-defined]

    if _ENCODED_WORD.fullmatch(word) is None:
        return None
    try:
        text, _charset, _lang, defects = _encoded_words.decode(word)
    except (ValueError, KeyError, LookupError):
        return None
    if defects or not isinstance(text, str) or not text.isprintable():
        return None
    return text if text == " ".join(text.split()) else None


def filename(part: Message) -> str | None:
    """The part's file name as policy.default reads it (RFC 2231 and 2047 forms decoded)."""
    import email.policy

    for header, param in (("content-disposition", "filename"), ("content-type", "name")):
        value = raw_header(part, header)
        if value is None:
            continue
        probe = Message()  # get_param over the header text as policy.default renders it
        probe[header] = str(email.policy.default.header_factory(header, value))
        found = probe.get_param(param, None, header)
        if found is not None:
            return email.utils.collapse_rfc2231_value(found).strip()
    return None


def _is_attachment(part: Message) -> bool:
    """True when the Content-Disposition token is 'attachment'."""
    value = raw_header(part, "content-disposition")
    match = _TOKEN.match(value) if value is not None else None
    return match is not None and match.group(1).lower() == "attachment"


def _body_blocks(msg: Message) -> list[Block]:
    """Blocks of the text/plain body, else of the text/html body."""
    body = _find_body(msg, msg)
    if body is None:
        return []
    payload = body.get_payload(decode=True)
    payload = payload if isinstance(payload, bytes) else b""
    charset = body.get_param("charset", "ASCII")
    if isinstance(charset, tuple):  # an RFC 2231 value
        charset = email.utils.collapse_rfc2231_value(charset)
    try:
        content = payload.decode(str(charset), "replace")
    except (LookupError, UnicodeError):
        content = payload.decode("utf-8", "replace")
    if body.get_content_subtype() == "html":
        return html_blocks(content)[1]
    return text_blocks(content)


def _find_body(root: Message, part: Message) -> Message | None:
    """The first text/plain part, else the first text/html part (EmailMessage.get_body)."""
    found: dict[str, Message] = {}
    for subtype, candidate in _body_candidates(root, part):
        if subtype == "plain":
            return candidate
        found.setdefault(subtype, candidate)
    return found.get("html")


def _body_candidates(root: Message, part: Message) -> Iterator[tuple[str, Message]]:
    """(subtype, part) of the non-attachment text parts, depth first, as get_body visits them."""
    if _is_attachment(part):
        return
    maintype, subtype = part.get_content_type().split("/")
    if maintype == "text":
        if subtype in ("plain", "html"):
            yield subtype, part
        return
    if maintype != "multipart" or not root.is_multipart():
        return
    if subtype != "related":
        for sub in _subparts(part):
            yield from _body_candidates(root, sub)
        return
    candidate = _related_root(part)
    if candidate is not None:
        yield from _body_candidates(root, candidate)


def _related_root(part: Message) -> Message | None:
    """The root part of a multipart/related: the 'start' content id, else the first part."""
    subparts = _subparts(part)
    start = part.get_param("start")
    if start:
        for sub in subparts:
            if sub["content-id"] == start:
                return sub
    return subparts[0] if subparts else None


def _subparts(part: Message) -> list[Message]:
    """The immediate subparts of a multipart (none for a single part)."""
    payload = part.get_payload() if part.is_multipart() else []
    return [sub for sub in payload if isinstance(sub, Message)]


def _attachments(msg: Message) -> list[Message]:
    """The non-main parts of a multipart message (EmailMessage.iter_attachments)."""
    maintype, subtype = msg.get_content_type().split("/")
    payload = msg.get_payload()
    if maintype != "multipart" or subtype == "alternative" or not isinstance(payload, list):
        return []
    parts = list(payload)
    if subtype == "related":
        start = msg.get_param("start")
        rest = [p for p in parts if p.get("content-id") != start] if start else parts
        return rest if start and len(rest) < len(parts) else parts[1:]
    seen: list[str] = []
    out: list[Message] = []
    for part in parts:
        kind = tuple(part.get_content_type().split("/"))
        if kind in _BODY_TYPES and kind[1] not in seen and not _is_attachment(part):
            seen.append(kind[1])
            continue
        out.append(part)
    return out


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
