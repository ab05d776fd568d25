"""Rough token counts for routing and for servers that report no usage.

There is one estimate in ebrain, `ebrain.text.estimate_tokens` (the chunker's); it is
re-exported here so that model code keeps its import.
"""

from __future__ import annotations

from ebrain.text.lang import estimate_tokens

__all__ = ["estimate_tokens"]
