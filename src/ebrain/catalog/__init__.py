"""The catalog: the workspace's source of truth (documents, versions, chunks, ACLs, events)."""

from ebrain.catalog.workspace import Workspace

__all__ = ["Workspace"]
