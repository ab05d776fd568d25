"""Outlook .msg: MAPI property streams read with olefile; attachments parsed in turn."""

from __future__ import annotations

import datetime as dt
import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers.base import corrupt, make_document, text_blocks
from ebrain.ingest.parsers.mail import add_attachments, header_block
from ebrain.ingest.parsers.webpage import html_blocks

# MAPI property ids (hex, 4 digits) of the fields we read.
PROPS = {
    "subject": "0037",
    "body": "1000",
    "html": "1013",
    "from_name": "0C1A",
    "from_email": "0C1F",
    "to": "0E04",
    "cc": "0E03",
}
_SUBMIT_TIME = 0x0039
_DELIVERY_TIME = 0x0E06
_ATTACH_LONG_NAME = "3707"
_ATTACH_NAME = "3704"
_ATTACH_DATA = "3701"


@dataclass
class MsgParser:
    """Outlook messages: subject, sender, recipients, date, body, attachments."""

    name: str = "msg"
    extensions: tuple[str, ...] = (".msg",)

    def parse(self, path: Path, data: bytes) -> Document:
        """Parse the top-level message properties and its attachments."""
        import olefile

        try:
            ole = olefile.OleFileIO(io.BytesIO(data))
        except (OSError, ValueError) as exc:
            raise corrupt("MSG", exc) from exc
        with ole:
            fields = {key: _string(ole, "", pid) for key, pid in PROPS.items()}
            date = _date(ole)
            attachments = _attachments(ole)
        headers = _headers(fields, date)
        blocks = [header_block(headers), *_body(fields)]
        warnings = add_attachments(blocks, attachments)
        doc = make_document(path, "msg", blocks, fields["subject"])
        doc.meta = {**headers, "attachments": [name for name, _ in attachments]}
        doc.warnings = warnings
        return doc


def _headers(fields: dict[str, str], date: str) -> dict[str, str]:
    """from / to / cc / subject / date like an e-mail's headers."""
    sender = fields["from_name"]
    if fields["from_email"] and fields["from_email"] != sender:
        sender = f"{sender} <{fields['from_email']}>" if sender else fields["from_email"]
    headers = {"from": sender, "to": fields["to"], "cc": fields["cc"]}
    headers |= {"subject": fields["subject"], "date": date}
    return {k: v for k, v in headers.items() if v}


def _body(fields: dict[str, str]) -> list[Block]:
    """The plain body, else the HTML body."""
    if fields["body"].strip():
        return text_blocks(fields["body"])
    if fields["html"].strip():
        return html_blocks(fields["html"])[1]
    return []


def _string(ole: Any, storage: str, pid: str) -> str:
    """A string property: Unicode (001F), 8-bit (001E) or binary (0102, for HTML)."""
    for ptype, encoding in (("001F", "utf-16-le"), ("001E", "cp1252"), ("0102", "utf-8")):
        stream = f"{storage}__substg1.0_{pid}{ptype}"
        if ole.exists(stream):
            raw = ole.openstream(stream).read()
            return str(raw.decode(encoding, "replace")).rstrip("\x00").strip()
    return ""


def _date(ole: Any) -> str:
    """Submit (else delivery) time from the top-level property stream, ISO 8601 UTC."""
    if not ole.exists("__properties_version1.0"):
        return ""
    raw = ole.openstream("__properties_version1.0").read()
    times: dict[int, int] = {}
    for offset in range(32, len(raw) - 15, 16):
        tag, _flags, value = struct.unpack_from("<IIQ", raw, offset)
        if tag & 0xFFFF == 0x0040:
            times[tag >> 16] = value
    value = times.get(_SUBMIT_TIME) or times.get(_DELIVERY_TIME)
    if not value:
        return ""
    stamp = dt.datetime(1601, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=value // 10)
    return stamp.isoformat()


def _attachments(ole: Any) -> list[tuple[str, bytes]]:
    """(file name, bytes) of each attachment storage that holds binary data."""
    storages = {e[0] for e in ole.listdir(streams=True) if e[0].startswith("__attach_version1.0_")}
    out: list[tuple[str, bytes]] = []
    for storage in sorted(storages):
        prefix = f"{storage}/"
        stream = f"{prefix}__substg1.0_{_ATTACH_DATA}0102"
        if not ole.exists(stream):
            continue
        name = _string(ole, prefix, _ATTACH_LONG_NAME) or _string(ole, prefix, _ATTACH_NAME)
        out.append((name or "attachment", ole.openstream(stream).read()))
    return out


PARSER = MsgParser()
