"""The ebrain error hierarchy: one base class, a few kinds, each with a hint for the user."""

from __future__ import annotations

from typing import Any


class EbrainError(Exception):
    """Base class of every error ebrain raises on purpose."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, hint: str = "", **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """The one JSON error shape used by the CLI (--json) and the API."""
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.hint:
            out["hint"] = self.hint
        if self.details:
            out["details"] = self.details
        return {"error": out}


class ConfigError(EbrainError):
    """A setting is missing, malformed or contradicts another."""

    code = "config_error"


class WorkspaceError(EbrainError):
    """The workspace is missing, unreadable or from an incompatible version."""

    code = "workspace_error"


class NotFoundError(EbrainError):
    """A named thing (kb, document, prompt, model, backend) does not exist."""

    code = "not_found"
    status = 404


class InvalidInputError(EbrainError):
    """An argument or request body is malformed."""

    code = "invalid_input"
    status = 422


class ParseError(EbrainError):
    """A file could not be turned into a Document; `reason` says why."""

    code = "parse_error"

    def __init__(self, reason: str, message: str, *, hint: str = "", **details: Any) -> None:
        super().__init__(message, hint=hint, reason=reason, **details)
        self.reason = reason


class BackendError(EbrainError):
    """A backend (index, embedder, model server) failed or is not installed."""

    code = "backend_error"
    status = 502


class IndexMismatchError(EbrainError):
    """The index was built with another embedder or dimension than configured."""

    code = "index_mismatch"
    status = 409


class PermissionDeniedError(EbrainError):
    """The caller may not read or change this resource."""

    code = "permission_denied"
    status = 403
