"""The model-provider registry: `openai+http(s)://…#model`, `ollama:M`, `llamacpp:PATH`, `none`.

Factories take a `ModelSpec` (or a bare spec string) and return a ModelProvider. Third-party
providers register under the entry-point group `ebrain.models`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from ebrain.models.catalog import ModelSpec
from ebrain.models.types import ModelProvider
from ebrain.registry import Registry

ProviderFactory = Callable[[ModelSpec | str], ModelProvider]

PROVIDERS: Registry[ModelProvider] = Registry("model provider", "ebrain.models")


def _builtins() -> dict[str, ProviderFactory]:
    from ebrain.models.providers import llamacpp, none, openai_compat

    return {
        "openai+http": openai_compat.create,
        "openai+https": openai_compat.create,
        "ollama": openai_compat.create_ollama,
        "llamacpp": llamacpp.create,
        "none": none.create,
    }


def _ensure_builtins() -> None:
    """Register built-ins not (yet) provided by installed entry points."""
    known = set(PROVIDERS.names())
    for key, factory in _builtins().items():
        if key not in known:
            PROVIDERS.register(key, factory)


def provider_names() -> list[str]:
    """Every registered provider key."""
    _ensure_builtins()
    return PROVIDERS.names()


def build_provider(spec: ModelSpec) -> ModelProvider:
    """The provider for a declared model; unknown schemes list the valid names."""
    _ensure_builtins()
    if spec.provider not in PROVIDERS.names():
        PROVIDERS.create(spec.public_url())  # raises NotFoundError listing the valid names
    factory = cast(ProviderFactory, PROVIDERS._factories[spec.provider])
    return factory(spec)
