"""Assistants: presets kept as data (a template, document-type filters, a tone, a model role)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import yaml

from ebrain.errors import ConfigError, NotFoundError

_KEYS = {"description", "template", "doc_types", "tone", "model", "kb", "k"}


@dataclass(frozen=True)
class Assistant:
    """One assistant: which template, which documents, what tone, which model role."""

    name: str
    template: str = "answer"
    doc_types: tuple[str, ...] = ()
    tone: Mapping[str, str] | None = None
    model: str | None = None
    description: str = ""
    kb: str | None = None
    k: int = 8

    def tone_for(self, lang: str) -> str:
        """The tone instruction in a language."""
        return str((self.tone or {}).get(lang, "")) if self.tone else ""

    def template_name(self, lang: str) -> str:
        """The template to render for a language, e.g. `support.zh`."""
        return f"{self.template}.{lang}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        out = asdict(self)
        out["doc_types"] = list(self.doc_types)
        out["tone"] = dict(self.tone or {})
        return out


def builtin_section() -> dict[str, Any]:
    """The packaged presets (data/assistants.yaml), parsed once per process (a fresh copy)."""
    return copy.deepcopy(_builtin_parsed())


@functools.cache
def _builtin_parsed() -> dict[str, Any]:
    text = (resources.files("ebrain.answer") / "data" / "assistants.yaml").read_text("utf-8")
    return dict(yaml.safe_load(text))


def _build(name: str, entry: Mapping[str, Any], base: Assistant | None) -> Assistant:
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ConfigError(
            f"assistant {name!r} has unknown keys {unknown}", hint=f"valid keys: {sorted(_KEYS)}"
        )
    merged = {**(base.to_dict() if base else {}), **dict(entry)}
    tone = merged.get("tone")
    if isinstance(tone, str):
        tone = {"en": tone, "zh": tone}
    types = merged.get("doc_types") or ()
    return Assistant(
        name=name,
        template=str(merged.get("template") or "answer"),
        doc_types=(types,) if isinstance(types, str) else tuple(str(t) for t in types),
        tone=dict(tone or {}),
        model=None if merged.get("model") in (None, "") else str(merged["model"]),
        description=str(merged.get("description") or ""),
        kb=None if merged.get("kb") in (None, "") else str(merged["kb"]),
        k=int(merged.get("k") or 8),
    )


def load_assistants(section: Mapping[str, Any] | None = None) -> dict[str, Assistant]:
    """The built-in presets, overridden and extended by config.yaml's `assistants:` section."""
    out = {name: _build(name, entry, None) for name, entry in builtin_section().items()}
    if section is not None and not isinstance(section, Mapping):
        raise ConfigError("`assistants:` must map names to assistant settings")
    for name, entry in (section or {}).items():
        if not isinstance(entry, Mapping):
            raise ConfigError(f"assistant {name!r} must be a mapping")
        out[str(name)] = _build(str(name), entry, out.get(str(name), out["default"]))
    return out


def get_assistant(section: Mapping[str, Any] | None, name: str | None) -> Assistant:
    """One assistant by name (None: `default`); unknown names list the valid ones."""
    found = load_assistants(section)
    key = name or "default"
    if key not in found:
        raise NotFoundError(f"unknown assistant {key!r}", hint=f"valid: {', '.join(found)}")
    return found[key]
