"""Backend registries keyed by name, URL scheme or `provider:model` prefix.

Built-in backends register through the same Python entry points as third-party ones
(see `[project.entry-points]` in pyproject.toml). A registry loads its entry-point group
lazily, the first time a name is looked up, so importing ebrain has no side effects.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Generic, TypeVar

from ebrain.errors import NotFoundError

T = TypeVar("T")


def scheme_of(spec: str) -> str:
    """The lookup key of a backend spec: `openai+http://h/v1#m` -> `openai+http`, `st:x` -> `st`."""
    if "://" in spec:
        return spec.split("://", 1)[0].lower()
    if ":" in spec:
        return spec.split(":", 1)[0].lower()
    return spec.lower()


class Registry(Generic[T]):
    """Factories of one backend kind, looked up by the key of a spec string."""

    def __init__(self, kind: str, group: str) -> None:
        self.kind = kind
        self.group = group
        self._factories: dict[str, Callable[[str], T]] = {}
        self._loaded = False

    def register(self, key: str, factory: Callable[[str], T]) -> None:
        """Register `factory(spec)` under `key` (replacing an earlier one)."""
        self._factories[key.lower()] = factory

    def names(self) -> list[str]:
        """All registered keys, sorted."""
        self._load()
        return sorted(self._factories)

    def create(self, spec: str) -> T:
        """Build a backend from its spec, or raise NotFoundError listing the valid names."""
        self._load()
        key = scheme_of(spec)
        factory = self._factories.get(key)
        if factory is None:
            valid = ", ".join(self.names())
            raise NotFoundError(
                f"unknown {self.kind} {spec!r}",
                hint=f"valid {self.kind} names: {valid}",
            )
        return factory(spec)

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        for ep in entry_points(group=self.group):
            if ep.name.lower() in self._factories:
                continue
            try:
                self._factories[ep.name.lower()] = ep.load()
            except Exception as exc:  # a broken plugin must not take the built-ins down
                logging.getLogger("ebrain").warning(
                    "skipping %s plugin %r (%s): %s", self.group, ep.name, ep.value, exc
                )
