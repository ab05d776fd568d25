"""The parser registry: built-ins, entry points, extension lookup, unknown names."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from ebrain.errors import NotFoundError
from ebrain.ingest.document import Block, Document
from ebrain.ingest.parsers import BUILTIN_PARSERS, REGISTRY, Parser, supported_extensions
from ebrain.ingest.parsers import base as parsers_base


@dataclass
class UpperParser:
    """A toy third-party parser."""

    name: str = "upper"
    extensions: tuple[str, ...] = (".upper",)

    def parse(self, path: Path, data: bytes) -> Document:
        return Document(title=path.stem, blocks=[Block(data.decode().upper())])


def test_builtins_satisfy_the_protocol() -> None:
    assert all(isinstance(p, Parser) for p in BUILTIN_PARSERS)
    names = [p.name for p in BUILTIN_PARSERS]
    assert len(names) == len(set(names))


def test_supported_extensions_cover_the_formats() -> None:
    exts = supported_extensions()
    for ext in (".pdf", ".docx", ".pptx", ".xlsx", ".csv", ".html", ".md", ".txt", ".eml"):
        assert ext in exts
    for ext in (".json", ".jsonl", ".msg", ".rtf", ".odt", ".epub", ".doc", ".wps", ".png"):
        assert ext in exts
    assert REGISTRY.for_extension("PDF") is REGISTRY.get("pdf")


def test_entry_points_are_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    ep = SimpleNamespace(name="upper", load=lambda: UpperParser())

    def fake_entry_points(*, group: str) -> list[Any]:
        return [ep] if group == "ebrain.parsers" else []

    monkeypatch.setattr(parsers_base, "entry_points", fake_entry_points)
    registry = parsers_base.ParserRegistry()
    parser = registry.for_extension(".upper")
    assert parser is not None and parser.parse(Path("a.upper"), b"hi").blocks[0].text == "HI"


def test_unknown_parser_lists_valid_names() -> None:
    registry = parsers_base.ParserRegistry(group="ebrain.no-such-group")
    registry.register(UpperParser())
    with pytest.raises(NotFoundError) as info:
        registry.get("nope")
    assert "upper" in info.value.hint


def test_a_broken_plugin_is_skipped_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    dist = tmp_path / "broken_ebrain_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: broken-ebrain-plugin\nVersion: 0.1\n"
    )
    (dist / "entry_points.txt").write_text(
        "[ebrain.parsers]\nbroken = no_such_module_anywhere:PARSER\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry = parsers_base.ParserRegistry()
    with caplog.at_level("WARNING", logger="ebrain"):
        names = registry.names()
    assert "broken" not in names and "pdf" in names and "docx" in names
    assert "skipping ebrain.parsers plugin 'broken'" in caplog.text
