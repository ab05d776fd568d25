"""Prompt templates: Jinja2, Chinese and English, versioned in the catalog (table prompt_version).

Built-in templates ship under `ebrain/answer/templates/NAME.LANG.j2` and become version 1 of
`NAME.LANG` the first time the store is used. Edits and rollbacks append new versions.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

import jinja2
import sqlalchemy as sa

from ebrain.catalog.queries import PromptVersions
from ebrain.errors import InvalidInputError, NotFoundError

SPLIT = "=== user ==="
_ENV = jinja2.Environment(
    undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True
)


@dataclass(frozen=True)
class PromptVersion:
    """One stored version of a named template."""

    name: str
    version: int
    template: str
    note: str = ""
    source: str = "user"
    created_at: str = ""

    @property
    def label(self) -> str:
        """`name@version`, recorded with every answer."""
        return f"{self.name}@{self.version}"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return asdict(self)


@dataclass(frozen=True)
class RenderedPrompt:
    """A rendered template: the system and user messages and the version used."""

    system: str
    user: str
    version: str


def builtin_templates() -> dict[str, str]:
    """The templates shipped with ebrain, by name (`answer.zh`, `support.en`, ...)."""
    folder = resources.files("ebrain.answer") / "templates"
    out = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".j2"):
            out[item.name[: -len(".j2")]] = item.read_text(encoding="utf-8")
    return out


def check_template(text: str) -> None:
    """Refuse text that is not a valid Jinja2 template."""
    try:
        _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        raise InvalidInputError(
            f"the template does not parse: {exc.message} (line {exc.lineno})",
            hint="fix the Jinja2 syntax; see docs/answers.md",
        ) from exc


def render(version: PromptVersion, **variables: Any) -> RenderedPrompt:
    """Render a template; text before a `=== user ===` line is the system message."""
    try:
        text = _ENV.from_string(version.template).render(**variables)
    except jinja2.TemplateError as exc:
        raise InvalidInputError(
            f"template {version.label} failed to render: {exc}",
            hint=f"fix it with `ebrain prompt edit {version.name}` or roll it back",
        ) from exc
    system, sep, user = text.partition(SPLIT)
    if not sep:
        return RenderedPrompt("", text.strip(), version.label)
    return RenderedPrompt(system.strip(), user.strip(), version.label)


class PromptStore:
    """Named templates with append-only versions in the catalog."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.stored = PromptVersions(engine)
        self._seeded = False

    def seed(self) -> None:
        """Store every built-in template missing from the catalog as its version 1."""
        if self._seeded:
            return
        known = self.stored.names()
        builtins = builtin_templates().items()
        missing = [(n, t, "built-in", "builtin") for n, t in builtins if n not in known]
        if missing:
            self.stored.append(missing)
        self._seeded = True

    def names(self) -> list[dict[str, Any]]:
        """Every template name with its latest version and how many versions it has."""
        self.seed()
        return [
            {"name": name, "latest": latest, "versions": n}
            for name, latest, n in self.stored.summary()
        ]

    def versions(self, name: str) -> list[PromptVersion]:
        """All versions of a template, oldest first."""
        self.seed()
        rows = self.stored.versions(name)
        if not rows:
            raise NotFoundError(f"no prompt template named {name!r}", hint=self._known())
        return [_version(r) for r in rows]

    def get(self, name: str, version: int | None = None) -> PromptVersion:
        """The latest (or a given) version of a template."""
        found = self.versions(name)
        if version is None:
            return found[-1]
        for item in found:
            if item.version == version:
                return item
        raise NotFoundError(
            f"template {name!r} has no version {version}",
            hint=f"versions: {', '.join(str(v.version) for v in found)}",
        )

    def save(self, name: str, text: str, note: str = "") -> PromptVersion:
        """Append a new version of `name` (a new name starts at version 1)."""
        _check_name(name)
        check_template(text)
        self.seed()
        self.stored.append([(name, text, note, "user")])
        return self.get(name)

    def rollback(self, name: str, version: int) -> PromptVersion:
        """Append a new version equal to an old one."""
        old = self.get(name, version)
        return self.save(name, old.template, note=f"rollback to {version}")

    def diff(self, name: str, a: int, b: int | None = None) -> str:
        """A unified diff between two versions (b defaults to the latest)."""
        left, right = self.get(name, a), self.get(name, b)
        lines = difflib.unified_diff(
            left.template.splitlines(keepends=True),
            right.template.splitlines(keepends=True),
            fromfile=left.label,
            tofile=right.label,
        )
        return "".join(lines)

    def _known(self) -> str:
        return "known: " + ", ".join(n["name"] for n in self.names())


def _version(m: dict[str, Any]) -> PromptVersion:
    return PromptVersion(
        m["name"], int(m["version"]), m["template"], m["note"], m["source"], m["created_at"]
    )


def _check_name(name: str) -> None:
    if not name or len(name) > 80 or any(c.isspace() or c in "/\\@" for c in name):
        raise InvalidInputError(
            f"invalid template name {name!r}", hint="e.g. answer.zh or support.en (no spaces, /, @)"
        )
