"""Fill the shared embedding cache for the retrieval benchmark (documents and queries).

.venv/bin/python bench/precompute_embeddings.py [--sets cmrc2018_dev drcd_dev vcsum qmsum]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from beir import SETS, load
from embcache import EmbeddingCache


def main() -> None:
    """Embed every corpus document and query of the chosen sets."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sets", nargs="*", default=list(SETS))
    args = parser.parse_args()
    cache = EmbeddingCache()
    for name in args.sets:
        data = load(name)
        cache.embed(list(data.queries.values()), "query", label=f"{name} queries")
        cache.embed([data.doc_text(d) for d in data.corpus], "passage", label=f"{name} docs")
    print(f"computed {cache.computed} vectors in {cache.seconds:.0f}s")


if __name__ == "__main__":
    main()
