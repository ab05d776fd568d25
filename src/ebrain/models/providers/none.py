"""`none`: no generating model; ebrain answers extractively."""

from __future__ import annotations

from ebrain.models.catalog import ModelSpec
from ebrain.models.errors import ModelError
from ebrain.models.types import Completion, CompletionRequest


def create(spec: ModelSpec | str) -> NoModel:
    """Registry factory for `none`."""
    del spec
    return NoModel()


class NoModel:
    """A provider that refuses every call with reason `not_configured`."""

    def complete(self, request: CompletionRequest) -> Completion:
        """Always raises: there is no model to complete with."""
        del request
        raise ModelError("not_configured", "no model is configured (extractive mode)")
