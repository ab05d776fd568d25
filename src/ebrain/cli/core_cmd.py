"""Top-level verbs: init, ingest, stats."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, open_brain, safe, workspace_path
from ebrain.i18n import say
from ebrain.i18n_errors import say_error
from ebrain.ingest.report import IngestReport

REASONS = {
    "corrupt": ("corrupt or unreadable file", "文件损坏或无法读取"),
    "encrypted": ("password-protected", "文件有密码保护"),
    "empty": ("empty file / no text", "空文件或没有文字"),
    "too_large": (
        "too large (ingest.max_file_mb, max_inflated_mb or parse_memory_mb)",
        "过大（ingest.max_file_mb、max_inflated_mb 或 parse_memory_mb 限制）",
    ),
    "timeout": (
        "parsing took too long (ingest.parse_timeout_s)",
        "解析超时（ingest.parse_timeout_s）",
    ),
    "symlink": ("symbolic link not followed", "未跟随的符号链接"),
    "unsupported": ("unsupported file type", "不支持的文件类型"),
    "undecodable": ("unknown text encoding", "无法识别的文本编码"),
    "needs_ocr": (
        "a scan: turn OCR on or install an OCR engine",
        "扫描件：请开启 OCR 或安装 OCR 引擎",
    ),
    "needs_converter": ("legacy format: install LibreOffice", "旧格式：请安装 LibreOffice"),
    "not_found": ("no such file or folder", "文件或目录不存在"),
    "unreadable": ("cannot be read (permissions)", "无法读取（权限）"),
    "worker_lost": (
        "the Ray worker was lost (retried next run)",
        "Ray 工作进程丢失（下次运行重试）",
    ),
}


def reason_text(reason: str | None) -> str:
    """A short bilingual description of an ingest failure reason."""
    en, zh = REASONS.get(reason or "", (reason or "", reason or ""))
    return say(en, zh)


def init(
    ctx: typer.Context,
    directory: Path | None = typer.Argument(None, help="Workspace folder (default ./.ebrain)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Create a workspace: config.yaml and the SQLite catalog. / 创建工作区。"""
    from ebrain.brain import Brain

    path = directory or workspace_path(ctx)
    with handled(as_json):
        brain = Brain.init(path)
        brain.create_kb("default")
        brain.close()
    if as_json:
        emit_json({"workspace": str(path.absolute()), "created": True})
    else:
        console.print(say(f"Workspace ready at {safe(path)}", f"工作区已就绪：{safe(path)}"))


def ingest(
    ctx: typer.Context,
    paths: list[Path] = typer.Argument(..., help="Files or folders to ingest."),
    kb: str = typer.Option("default", "--kb", help="Knowledge base."),
    tag: list[str] = typer.Option([], "--tag", help="Tag to add (repeatable)."),
    acl: list[str] = typer.Option([], "--acl", help="Group allowed to read (repeatable)."),
    prune: bool = typer.Option(False, "--prune", help="Remove documents whose files are gone."),
    jobs: int | None = typer.Option(
        None, "--jobs", "-j", min=0, max=1024, help="Parser processes (0: one per CPU)."
    ),
    strict: bool = typer.Option(False, "--strict", help="Stop at the first error."),
    ray: str | None = typer.Option(
        None,
        "--ray",
        is_flag=False,
        flag_value="auto",
        metavar="[ADDRESS]",
        help="Parse and embed on a Ray cluster: an address (HOST:PORT, ray://HOST:PORT), "
        "auto (the running cluster, the default) or local (start one here). Needs ebrain[ray].",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Ingest documents, incrementally and safely. / 增量导入文档。"""
    from ebrain.cli.progress import IngestProgress

    with handled(as_json):
        brain = open_brain(ctx)
        with IngestProgress(enabled=not as_json) as bar:
            report = brain.ingest(
                paths,
                kb=kb,
                tags=tag,
                acl=acl,
                prune=prune,
                jobs=jobs,
                strict=strict,
                progress=bar,
                ray=ray,
            )
        brain.close()
    if as_json:
        emit_json(report.to_dict())
    else:
        _print_report(report)
    if not report.ok or (strict and report.failed):
        raise typer.Exit(2)


def _print_report(report: IngestReport) -> None:
    counts, kb = report.counts, safe(report.kb)
    console.print(
        say(
            f"[bold]{kb}[/]: {counts.get('added', 0)} added, {counts.get('updated', 0)} updated, "
            f"{counts.get('unchanged', 0)} unchanged, {counts.get('duplicate', 0)} duplicate, "
            f"{counts.get('failed', 0)} failed, {counts.get('skipped', 0)} skipped, "
            f"{counts.get('pruned', 0)} pruned; "
            f"{report.chunks_added} chunks in {report.seconds:.1f}s",
            f"[bold]{kb}[/]：新增 {counts.get('added', 0)}，更新 {counts.get('updated', 0)}，"
            f"未变 {counts.get('unchanged', 0)}，重复 {counts.get('duplicate', 0)}，"
            f"失败 {counts.get('failed', 0)}，跳过 {counts.get('skipped', 0)}，"
            f"清理 {counts.get('pruned', 0)}；"
            f"{report.chunks_added} 个分块，用时 {report.seconds:.1f} 秒",
        )
    )
    if report.failed or report.skipped:
        table = Table(title=say("Files not ingested", "未能导入的文件"))
        table.add_column(say("file", "文件"))
        table.add_column(say("reason", "原因"))
        table.add_column(say("detail", "详情"))
        for f in report.failed + report.skipped:
            detail = say_error(f.message or "") + (f"\n{say_error(f.hint)}" if f.hint else "")
            table.add_row(safe(f.path), safe(reason_text(f.reason)), safe(detail))
        console.print(table)


def stats(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Documents by type and kb, chunks, bytes, errors. / 统计。"""
    with handled(as_json):
        brain = open_brain(ctx)
        data = brain.stats()
        brain.close()
    if as_json:
        emit_json(data)
        return
    table = Table(title=say("Documents by type", "按类型统计文档"))
    table.add_column(say("type", "类型"))
    table.add_column(say("documents", "文档数"), justify="right")
    for name, n in data["by_type"].items():
        table.add_row(safe(name), safe(n))
    console.print(table)
    console.print(
        say(
            f"{data['documents']} documents in {len(data['by_kb'])} kb, {data['chunks']} chunks, "
            f"{data['vectors']} vectors, {data['bytes'] / 2**20:.1f} MB, {data['errors']} errors",
            f"{data['documents']} 个文档，{len(data['by_kb'])} 个知识库，{data['chunks']} 个分块，"
            f"{data['vectors']} 个向量，{data['bytes'] / 2**20:.1f} MB，{data['errors']} 个错误",
        )
    )
    inj = data["injection"]
    console.print(
        say(
            f"firewall: {inj['flagged']} of {inj['scored']} scored chunks flagged as possible "
            f"injections (threshold {inj['threshold']:.3f})",
            f"防火墙：已评分的 {inj['scored']} 个分块中有 {inj['flagged']} 个被标记为可能的注入"
            f"（阈值 {inj['threshold']:.3f}）",
        ),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach the top-level verbs."""
    app.command()(init)
    app.command()(ingest)
    app.command()(stats)
