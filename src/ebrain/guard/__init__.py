"""The AI firewall: input, context and output guards built from scanners with actions."""

from __future__ import annotations

from ebrain.guard.guard import Guard
from ebrain.guard.policy import Policy, ScannerSpec, StagePolicy
from ebrain.guard.types import ACTIONS, Finding, GuardResult

__all__ = ["ACTIONS", "Finding", "Guard", "GuardResult", "Policy", "ScannerSpec", "StagePolicy"]
