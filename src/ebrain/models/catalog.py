"""Declared models (config.yaml `models:`): aliases, roles, context windows, prices, keys."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ebrain.errors import ConfigError, NotFoundError
from ebrain.registry import scheme_of

ROLES = ("default", "small", "large")
DEFAULT_CONTEXT_WINDOW = 8192
DEFAULT_TIMEOUT = 60.0
MASK = "***"
_KEYS = {
    "url",
    "roles",
    "context_window",
    "price",
    "api_key_env",
    "api_key",
    "timeout",
    "max_attempts",
    "backoff_base",
    "base_url",
    "options",
}


@dataclass(frozen=True)
class Price:
    """Price per 1M input (prompt) and output (completion) tokens."""

    input: float = 0.0
    output: float = 0.0

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        """What a call with these token counts costs."""
        return (prompt_tokens * self.input + completion_tokens * self.output) / 1_000_000


@dataclass(frozen=True, repr=False)
class ModelSpec:
    """One declared model. The API key is read from `api_key_env` only when needed."""

    alias: str
    url: str
    roles: tuple[str, ...] = ()
    context_window: int = DEFAULT_CONTEXT_WINDOW
    price: Price = field(default_factory=Price)
    api_key_env: str | None = None
    api_key_literal: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_attempts: int | None = None
    backoff_base: float | None = None
    base_url: str | None = None
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def provider(self) -> str:
        """The registry key: `openai+http`, `ollama`, `llamacpp`, `none`."""
        return scheme_of(self.url)

    @property
    def model_name(self) -> str:
        """The served model's name: after `#` in a URL, after `:` in a prefix spec."""
        if "://" in self.url:
            return self.url.split("#", 1)[1] if "#" in self.url else ""
        return self.url.split(":", 1)[1] if ":" in self.url else ""

    def api_key(self) -> str | None:
        """The API key, read now from the environment (never stored, never logged)."""
        if self.api_key_env:
            return os.environ.get(self.api_key_env) or None
        return self.api_key_literal

    def public_url(self) -> str:
        """The URL with any password masked."""
        return mask_url(self.url)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view without secrets (whether a key is set, not its value)."""
        return {
            "alias": self.alias,
            "url": self.public_url(),
            "provider": self.provider,
            "model": self.model_name,
            "roles": list(self.roles),
            "context_window": self.context_window,
            "price": {"input": self.price.input, "output": self.price.output},
            "api_key_env": self.api_key_env,
            "api_key_set": self.api_key() is not None,
            "timeout": self.timeout,
        }

    def __repr__(self) -> str:
        literal = MASK if self.api_key_literal else None
        return (
            f"ModelSpec(alias={self.alias!r}, url={self.public_url()!r}, roles={self.roles!r}, "
            f"context_window={self.context_window}, api_key_env={self.api_key_env!r}, "
            f"api_key={literal!r}, timeout={self.timeout})"
        )

    __str__ = __repr__


def mask_url(url: str) -> str:
    """Hide a password in `scheme://user:password@host/...`."""
    if "://" not in url or "@" not in url.split("://", 1)[1].split("/", 1)[0]:
        return url
    parts = urlsplit(url)
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:{MASK}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def spec_from_config(alias: str, value: Any) -> ModelSpec:
    """Parse one `models:` entry (a URL string or a mapping)."""
    entry: Mapping[str, Any] = {"url": value} if isinstance(value, str) else value
    if not isinstance(entry, Mapping) or not entry.get("url"):
        raise ConfigError(
            f"model {alias!r} needs a url", hint="e.g. url: openai+http://127.0.0.1:8000/v1#MODEL"
        )
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ConfigError(
            f"model {alias!r} has unknown keys {unknown}", hint=f"valid keys: {sorted(_KEYS)}"
        )
    return _build_spec(alias, entry)


def _build_spec(alias: str, entry: Mapping[str, Any]) -> ModelSpec:
    try:
        return ModelSpec(
            alias=alias,
            url=str(entry["url"]),
            roles=_roles(entry.get("roles")),
            context_window=int(entry.get("context_window", DEFAULT_CONTEXT_WINDOW)),
            price=_price(entry.get("price")),
            api_key_env=_opt_str(entry.get("api_key_env")),
            api_key_literal=_opt_str(entry.get("api_key")),
            timeout=float(entry.get("timeout", DEFAULT_TIMEOUT)),
            max_attempts=_opt_int(entry.get("max_attempts")),
            backoff_base=_opt_float(entry.get("backoff_base")),
            base_url=_opt_str(entry.get("base_url")),
            options=dict(entry.get("options") or {}),
        )
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"model {alias!r} is malformed: {exc}") from exc


def _roles(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    items = [value] if isinstance(value, str) else list(value)
    return tuple(str(r).strip().lower() for r in items)


def _price(value: Any) -> Price:
    if value is None:
        return Price()
    if not isinstance(value, Mapping):
        raise ValueError("price must be a mapping {input: X, output: Y} (per 1M tokens)")
    return Price(float(value.get("input", 0.0)), float(value.get("output", 0.0)))


def _opt_str(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


class ModelCatalog:
    """The declared models, in declaration order, looked up by alias, role or URL."""

    def __init__(self, specs: list[ModelSpec] | None = None) -> None:
        self._specs: dict[str, ModelSpec] = {s.alias: s for s in specs or []}

    @classmethod
    def from_config(cls, section: Mapping[str, Any] | None) -> ModelCatalog:
        """Build from the `models:` section of config.yaml (None means no models)."""
        if section is None:
            return cls()
        if not isinstance(section, Mapping):
            raise ConfigError("`models:` must map aliases to model declarations")
        return cls([spec_from_config(str(alias), v) for alias, v in section.items()])

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __repr__(self) -> str:
        return f"ModelCatalog({list(self._specs.values())!r})"

    def aliases(self) -> list[str]:
        """Declared aliases, in order."""
        return list(self._specs)

    @property
    def has_models(self) -> bool:
        """True when at least one generating model (not `none`) is declared."""
        return any(s.provider != "none" for s in self)

    def get(self, alias: str) -> ModelSpec:
        """The model declared under `alias`, or NotFoundError listing the aliases."""
        spec = self._specs.get(alias)
        if spec is None:
            valid = ", ".join(self.aliases()) or "(none declared)"
            raise NotFoundError(f"unknown model {alias!r}", hint=f"declared models: {valid}")
        return spec

    def by_role(self, role: str) -> list[ModelSpec]:
        """Models with `role`; `default` falls back to the first declared model."""
        found = [s for s in self if role in s.roles]
        if not found and role == "default" and self._specs:
            return [next(iter(self))]
        return found

    def resolve(self, name: str) -> list[ModelSpec]:
        """An alias, a role, or an ad-hoc model URL -> the matching models."""
        if name in self._specs:
            return [self._specs[name]]
        if "://" in name or ":" in name or name == "none":
            return [ModelSpec(alias=mask_url(name), url=name)]
        return self.by_role(name)
