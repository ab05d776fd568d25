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
from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ebrain.catalog.queries import PromptVersions
from ebrain.errors import InvalidInputError, NotFoundError

SPLIT = "=== user ==="
MAX_OUTPUT_CHARS = 4_000_000  # a rendered prompt longer than this is a runaway template
MAX_REPEAT = 1_000_000  # `'x' * n` and `[..] * n` may build at most this many items
MAX_POWER = 10_000  # `a ** b` is refused for larger exponents


class _PromptEnvironment(ImmutableSandboxedEnvironment):
    """The only environment user-editable templates are rendered in.

    Sandboxed (no `__class__`/`__globals__` walks, no mutation of passed-in data) and with
    `*` and `**` bounded so a template cannot build a huge string or number. Prompts are plain
    text for a model, not HTML, so autoescape stays off.
    """

    intercepted_binops = frozenset(["*", "**"])

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        """`*` and `**` with a size limit; other operators as usual."""
        if operator == "**" and isinstance(right, int | float) and abs(right) > MAX_POWER:
            raise jinja2.exceptions.SecurityError(f"exponent {right} is too large")
        if operator == "*" and _repeat_size(left, right) > MAX_REPEAT:
            raise jinja2.exceptions.SecurityError("the repetition builds too large a value")
        return super().call_binop(context, operator, left, right)


def _repeat_size(left: Any, right: Any) -> int:
    """How many items `left * right` makes when it repeats a sequence (0 for numbers)."""
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(times, int):
            return len(seq) * max(times, 0)
    return 0


_ENV = _PromptEnvironment(
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
    """Refuse text that is not a valid Jinja2 template or that reaches for private attributes."""
    try:
        tree = _ENV.parse(text)
    except jinja2.TemplateSyntaxError as exc:
        raise InvalidInputError(
            f"the template does not parse: {exc.message} (line {exc.lineno})",
            hint="fix the Jinja2 syntax; see docs/answers.md",
        ) from exc
    for name, line in _private_names(tree):
        raise InvalidInputError(
            f"the template uses the private attribute {name!r} (line {line})",
            hint="templates may only use the documented variables; remove attributes "
            "starting with '_' (see docs/answers.md)",
        )


def _private_names(tree: nodes.Template) -> list[tuple[str, int]]:
    """Attribute names starting with `_` (`x.__class__`, `x['__globals__']`) in a template."""
    found = [(n.attr, n.lineno) for n in tree.find_all(nodes.Getattr) if n.attr.startswith("_")]
    for item in tree.find_all(nodes.Getitem):
        key = item.arg
        if isinstance(key, nodes.Const) and str(key.value).startswith("_"):
            found.append((str(key.value), item.lineno))
    return found


def render(version: PromptVersion, **variables: Any) -> RenderedPrompt:
    """Render a template; text before a `=== user ===` line is the system message."""
    fix = f"fix it with `ebrain prompt edit {version.name}` or roll it back"
    try:
        text = _bounded(_ENV.from_string(version.template).generate(**variables))
    except jinja2.exceptions.SecurityError as exc:
        raise InvalidInputError(
            f"template {version.label} did something templates may not: {exc}",
            hint=f"templates run sandboxed and may only read their variables; {fix}",
        ) from exc
    except jinja2.TemplateError as exc:
        raise InvalidInputError(
            f"template {version.label} failed to render: {exc}", hint=fix
        ) from exc
    system, sep, user = text.partition(SPLIT)
    if not sep:
        return RenderedPrompt("", text.strip(), version.label)
    return RenderedPrompt(system.strip(), user.strip(), version.label)


def _bounded(parts: Any) -> str:
    """Join rendered pieces, stopping a runaway template at MAX_OUTPUT_CHARS."""
    out: list[str] = []
    size = 0
    for part in parts:
        size += len(part)
        if size > MAX_OUTPUT_CHARS:
            raise jinja2.exceptions.SecurityError(
                f"its output is longer than {MAX_OUTPUT_CHARS:,} characters"
            )
        out.append(part)
    return "".join(out)


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
