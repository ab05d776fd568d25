"""The one error the gateway raises: BackendError with a machine-readable reason."""

from __future__ import annotations

from typing import Any

from ebrain.errors import BackendError

REASONS = (
    "timeout",
    "rate_limited",
    "server_error",
    "bad_response",
    "context_overflow",
    "auth",
    "bad_request",
    "unavailable",
    "not_configured",
    "not_installed",
)

_HINTS = {
    "timeout": "raise the model's `timeout:` in config.yaml or check the server's load",
    "rate_limited": "the server is throttling requests; lower concurrency or raise its limits",
    "server_error": "the model server failed; check its logs",
    "bad_response": "the server's reply is not valid OpenAI-compatible JSON",
    "context_overflow": "shorten the prompt or declare a model with a bigger context_window",
    "auth": "check the API key in the environment variable named by `api_key_env:`",
    "bad_request": "the server refused the request; check the model name and parameters",
    "unavailable": "the model server cannot be reached; is it running at the configured URL?",
    "not_configured": "declare a model in config.yaml (`models:`); without one ebrain answers "
    "extractively",
}


class ModelError(BackendError):
    """A model call failed; `reason` is one of REASONS, `retry_after` in seconds if sent."""

    def __init__(
        self,
        reason: str,
        message: str,
        *,
        hint: str = "",
        retry_after: float | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, hint=hint or _HINTS.get(reason, ""), reason=reason, **details)
        self.reason = reason
        self.retry_after = retry_after
