"""`ebrain index status|embed|rebuild`."""

from __future__ import annotations

import time

import typer

from ebrain.cli.common import console, emit_json, handled, open_brain, safe
from ebrain.i18n import say

app = typer.Typer(help="Search index: vectors and full text. / 检索索引。", no_args_is_help=True)
JSON = typer.Option(False, "--json", help="Print JSON.")


@app.command()
def status(ctx: typer.Context, as_json: bool = JSON) -> None:
    """Chunks, vectors and the embedder they were made with. / 索引状态。"""
    with handled(as_json):
        brain = open_brain(ctx)
        data = brain.index_status()
        brain.close()
    if as_json:
        emit_json(data)
        return
    console.print(
        say(
            f"{data['chunks']} chunks, {data['vectors']} with vectors ({data['pending']} pending); "
            f"embedder {safe(data['embedder'])} (configured {safe(data['configured'])})",
            f"{data['chunks']} 个分块，{data['vectors']} 个已有向量（{data['pending']} 个待处理）；"
            f"向量模型 {safe(data['embedder'])}（配置为 {safe(data['configured'])}）",
        )
    )


@app.command()
def embed(
    ctx: typer.Context,
    limit: int | None = typer.Option(None, "--limit", min=1, help="Embed at most this many."),
    watch: float = typer.Option(
        0,
        "--watch",
        min=0,
        max=86_400,
        help="Keep running as a background worker: look for new chunks every N seconds.",
    ),
    as_json: bool = JSON,
) -> None:
    """Embed chunks that have no vector yet (resumable). / 为缺少向量的分块生成向量。"""
    from ebrain.cli.progress import IngestProgress

    with handled(as_json):
        brain = open_brain(ctx)
        with IngestProgress(enabled=not as_json) as bar:
            n = brain.embed_pending(progress=bar, limit=limit)
            while watch > 0:  # Ctrl-C stops the worker; every batch is already committed
                try:
                    time.sleep(watch)
                except KeyboardInterrupt:
                    break
                n += brain.embed_pending(progress=bar, limit=limit)
        brain.close()
    if as_json:
        emit_json({"embedded": n})
    else:
        console.print(say(f"Embedded {n} chunks", f"已为 {n} 个分块生成向量"))


@app.command()
def rebuild(
    ctx: typer.Context,
    no_embed: bool = typer.Option(False, "--no-embed", help="Rebuild full text only; embed later."),
    as_json: bool = JSON,
) -> None:
    """Rebuild the index from the catalog (after a dictionary or model change). / 从目录重建索引。"""
    from ebrain.cli.progress import IngestProgress

    with handled(as_json):
        brain = open_brain(ctx)
        with IngestProgress(enabled=not as_json) as bar:
            data = brain.rebuild_index(embed=not no_embed, progress=bar)
        brain.close()
    if as_json:
        emit_json(data)
    else:
        console.print(
            say(
                f"Rebuilt {data['chunks']} chunks, embedded {data['embedded']}",
                f"已重建 {data['chunks']} 个分块，生成 {data['embedded']} 个向量",
            )
        )
