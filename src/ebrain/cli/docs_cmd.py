"""`ebrain docs list|show|rm|errors|set-type|rule`."""

from __future__ import annotations

from typing import Any

import typer
from rich.table import Table

from ebrain.auth import Principal
from ebrain.cli.common import console, emit_json, handled, open_brain, plain, safe
from ebrain.cli.core_cmd import reason_text
from ebrain.i18n import say

app = typer.Typer(help="Documents. / 文档。", no_args_is_help=True)

JSON = typer.Option(False, "--json", help="Print JSON.")


@app.command("list")
def list_(
    ctx: typer.Context,
    kb: str | None = typer.Option(None, "--kb"),
    doc_type: str | None = typer.Option(None, "--type"),
    limit: int = typer.Option(1000, "--limit", min=1, max=10_000, help="At most this many."),
    as_json: bool = JSON,
) -> None:
    """List documents. / 列出文档。"""
    with handled(as_json):
        brain = open_brain(ctx)
        docs = brain.documents(kb=kb, doc_type=doc_type, limit=limit, principal=Principal.owner())
        brain.close()
    if as_json:
        emit_json(docs)
        return
    table = Table()
    for col in ("id", "kb", say("type", "类型"), say("title", "标题"), say("chunks", "分块"), "v"):
        table.add_column(col)
    for d in docs:
        row = (d["id"], d["kb"], d["doc_type"], d["title"], d["n_chunks"], d["version"])
        table.add_row(*map(safe, row))
    console.print(table)


@app.command()
def show(
    ctx: typer.Context,
    document_id: int,
    text: bool = typer.Option(False, "--text"),
    as_json: bool = JSON,
) -> None:
    """Show one document with its chunks. / 查看文档。"""
    with handled(as_json):
        brain = open_brain(ctx)
        doc = brain.document(document_id, with_text=text, principal=Principal.owner())
        threshold = float(brain.config.get("guard.context_threshold"))
        brain.close()
    if as_json:
        emit_json(doc)
        return
    about = safe(f"({doc['doc_type']}, {doc['lang']}, v{doc['version']})")
    console.print(f"[bold]{safe(doc['title'])}[/] {about}", highlight=False)
    for key in ("paths", "tags", "acl", "warnings"):
        if doc[key]:
            shown = plain(f"{key}: {', '.join(map(str, doc[key]))}")
            console.print(shown, markup=False, highlight=False)
    for c in doc["chunks"]:
        where = safe(
            f"#{c['ord']} p{c['page_start'] or '-'} " + (" > ".join(c["heading_path"]) or "-")
        )
        console.print(f"[dim]{where}[/] {safe(repr(c['text'][:120]))}", highlight=False)
        if c.get("injection_score") is not None:
            console.print("   " + safe(injection_line(c, threshold)), highlight=False)
    if text and doc.get("text"):
        console.print(plain(doc["text"]), markup=False, highlight=False)


@app.command()
def rm(ctx: typer.Context, document_id: int, as_json: bool = JSON) -> None:
    """Delete a document. / 删除文档。"""
    with handled(as_json):
        brain = open_brain(ctx)
        brain.remove_document(document_id)
        brain.close()
    if as_json:
        emit_json({"removed": document_id})
    else:
        console.print(say(f"Removed document {document_id}", f"已删除文档 {document_id}"))


@app.command()
def errors(
    ctx: typer.Context, kb: str | None = typer.Option(None, "--kb"), as_json: bool = JSON
) -> None:
    """Files that could not be ingested, and why. / 导入失败的文件。"""
    with handled(as_json):
        brain = open_brain(ctx)
        rows = brain.errors(kb)
        brain.close()
    if as_json:
        emit_json(rows)
        return
    table = Table()
    for col in (say("file", "文件"), say("reason", "原因"), say("detail", "详情")):
        table.add_column(col)
    for r in rows:
        table.add_row(safe(r["path"]), safe(reason_text(r["reason"])), safe(r["message"]))
    console.print(table)


@app.command("set-type")
def set_type(ctx: typer.Context, document_id: int, doc_type: str, as_json: bool = JSON) -> None:
    """Override a document's type. / 手动设置文档类型。"""
    with handled(as_json):
        brain = open_brain(ctx)
        brain.set_type(document_id, doc_type)
        brain.close()
    if as_json:
        emit_json({"id": document_id, "doc_type": doc_type})
    else:
        console.print(
            say(
                f"Document {document_id} is now {safe(doc_type)}",
                f"文档 {document_id} 的类型已设为 {safe(doc_type)}",
            )
        )


@app.command("rule")
def rule(
    ctx: typer.Context,
    pattern: str = typer.Argument(..., help="Glob on the file path, e.g. '*/合同/*'."),
    doc_type: str = typer.Argument(...),
    kb: str | None = typer.Option(None, "--kb"),
    as_json: bool = JSON,
) -> None:
    """Classify files matching a folder/name pattern as a type. / 按路径规则设置类型。"""
    with handled(as_json):
        brain = open_brain(ctx)
        brain.add_type_rule(pattern, doc_type, kb)
        brain.close()
    if as_json:
        emit_json({"pattern": pattern, "doc_type": doc_type, "kb": kb})
    else:
        console.print(
            say(
                "Rule added; it applies from the next ingest of changed files.",
                "规则已添加，将在下次导入变更文件时生效。",
            )
        )


def injection_line(chunk: dict[str, Any], threshold: float) -> str:
    """The firewall's stored verdict of a chunk, in words."""
    score, rule = float(chunk["injection_score"]), chunk.get("injection_rule")
    if rule or score >= threshold:
        why = f"rule {rule}" if rule else f"score {score:.3f} >= {threshold:.3f}"
        return say(
            f"! flagged as a possible injection ({why}); quoted to models as data",
            f"! 被标记为可能的注入（{why}）；仅作为数据提供给模型",
        )
    return say(
        f"injection score {score:.3f} (< {threshold:.3f})",
        f"注入评分 {score:.3f}（< {threshold:.3f}）",
    )


@app.command("acl-rule")
def acl_rule(
    ctx: typer.Context,
    pattern: str = typer.Argument("", help="Glob on the file path, e.g. '*/hr/*'."),
    groups: list[str] = typer.Argument(None, help="Groups that may read matching files."),
    kb: str | None = typer.Option(None, "--kb"),
    as_json: bool = JSON,
) -> None:
    """Give files matching a folder/name pattern ACL groups; no arguments lists the rules. /
    按路径规则设置访问组；不带参数时列出规则。"""
    with handled(as_json):
        brain = open_brain(ctx)
        if pattern:
            brain.add_acl_rule(pattern, groups or [], kb)
        rules = brain.acl_rules(kb)
        brain.close()
    if as_json:
        emit_json([{"pattern": p, "group": g} for p, g in rules])
        return
    for p, g in rules:
        console.print(f"{plain(p)}  ->  {plain(g)}")
    if pattern:
        console.print(
            say(
                "Rule added; it applies from the next ingest (existing documents keep their groups "
                "until their files are ingested again).",
                "规则已添加，将在下次导入时生效（已有文档在重新导入前保持原访问组）。",
            )
        )
