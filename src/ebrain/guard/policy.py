"""Policies: for each stage (input, context, output) a list of scanners, each with an action."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ebrain.errors import ConfigError
from ebrain.guard.types import ACTIONS

STAGES = ("input", "context", "output")
SCANNERS = ("pii", "injection", "words", "leakage")


@dataclass(frozen=True)
class ScannerSpec:
    """One scanner in a stage: its name, the action on a finding, and its options."""

    scanner: str
    action: str = "flag"
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_config(cls, data: dict[str, Any]) -> ScannerSpec:
        """Parse `{scanner: pii, action: mask, labels: [ID]}`."""
        if not isinstance(data, dict) or "scanner" not in data:
            raise ConfigError(f"a guard scanner needs a 'scanner' key, got {data!r}")
        opts = {k: v for k, v in data.items() if k not in {"scanner", "action"}}
        spec = cls(str(data["scanner"]), str(data.get("action", "flag")), opts)
        spec.validate()
        return spec

    def validate(self) -> None:
        """Refuse unknown scanners and actions, listing the valid ones."""
        if self.scanner not in SCANNERS:
            raise ConfigError(
                f"unknown guard scanner {self.scanner!r}", hint=f"valid: {', '.join(SCANNERS)}"
            )
        if self.action not in ACTIONS:
            raise ConfigError(
                f"unknown guard action {self.action!r}", hint=f"valid: {', '.join(ACTIONS)}"
            )


@dataclass(frozen=True)
class StagePolicy:
    """The scanners one stage runs, in order."""

    scanners: tuple[ScannerSpec, ...] = ()

    @classmethod
    def from_config(cls, data: Any) -> StagePolicy:
        """Parse a list of scanner specs."""
        if not isinstance(data, list):
            raise ConfigError(f"a guard stage must be a list of scanners, got {data!r}")
        return cls(tuple(ScannerSpec.from_config(item) for item in data))


def _default_stages() -> dict[str, StagePolicy]:
    """The default policy: block injected questions, neutralize injected chunks, mask PII."""
    spec = ScannerSpec
    return {
        "input": StagePolicy((spec("injection", "block"), spec("pii", "flag"))),
        "context": StagePolicy((spec("injection", "flag"), spec("pii", "flag"))),
        "output": StagePolicy(
            (spec("leakage", "block"), spec("pii", "mask", {"labels": ["ID", "CARD"]}))
        ),
    }


@dataclass(frozen=True)
class Policy:
    """A guard policy: stage scanners, PII labels restored from tokens, per-group overrides."""

    name: str = "default"
    input: StagePolicy = field(default_factory=lambda: _default_stages()["input"])
    context: StagePolicy = field(default_factory=lambda: _default_stages()["context"])
    output: StagePolicy = field(default_factory=lambda: _default_stages()["output"])
    restore_pii: frozenset[str] = frozenset()
    groups: dict[str, dict[str, StagePolicy]] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Policy:
        """The sensible default policy."""
        return cls()

    @classmethod
    def from_config(
        cls, data: dict[str, Any], name: str = "custom", base: Policy | None = None
    ) -> Policy:
        """Parse one policy mapping; stages it omits come from `base` (default: the default)."""
        if not isinstance(data, dict):
            raise ConfigError(f"policy {name!r} must be a mapping")
        policy = replace(base or cls.default(), name=name, groups={})
        stages = {s: StagePolicy.from_config(data[s]) for s in STAGES if s in data}
        groups = {
            str(g): _stages(v, f"{name}.groups.{g}") for g, v in (data.get("groups") or {}).items()
        }
        restore = frozenset(str(x) for x in data.get("restore_pii", policy.restore_pii))
        return replace(policy, restore_pii=restore, groups=groups, **stages)  # type: ignore[arg-type]

    def stage(self, stage: str, user_groups: tuple[str, ...] | list[str] = ()) -> StagePolicy:
        """The scanners of a stage for a user: the first of their groups that overrides it wins."""
        for group in user_groups:
            override = self.groups.get(group, {}).get(stage)
            if override is not None:
                return override
        found: StagePolicy = getattr(self, stage)
        return found


def _stages(data: Any, where: str) -> dict[str, StagePolicy]:
    """Stage overrides of a group."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping of stages")
    return {s: StagePolicy.from_config(data[s]) for s in STAGES if s in data}


def policies_from_config(section: dict[str, Any] | None) -> dict[str, Policy]:
    """All policies of config.yaml's `policies:` section; `default` is the base of the others."""
    section = dict(section or {})
    default = Policy.from_config(section.pop("default", {}) or {}, "default")
    out = {"default": default}
    for name, data in section.items():
        base = out.get(str((data or {}).get("extends", "default")), default)
        out[str(name)] = Policy.from_config(data or {}, str(name), base)
    return out


def select_policy(section: dict[str, Any] | None, assistant: str = "") -> Policy:
    """The policy of an assistant: one named after it, or one listing it, else the default."""
    policies = policies_from_config(section)
    if assistant in policies:
        return policies[assistant]
    for name, data in (section or {}).items():
        if assistant and assistant in ((data or {}).get("assistants") or []):
            return policies[str(name)]
    return policies["default"]
