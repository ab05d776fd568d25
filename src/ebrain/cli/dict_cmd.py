"""`ebrain dict`: the workspace's user dictionary (company terms, product and customer names)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from ebrain.cli.common import console, emit_json, handled, require_workspace, safe
from ebrain.i18n import say
from ebrain.text.userdict import add_words, dict_path, load_entries, remove_words, word_key

app = typer.Typer(
    help="User dictionary for Chinese word segmentation. / 用户词典（中文分词）。",
    no_args_is_help=True,
)

REBUILD_EN = "Existing documents keep their old terms: run `ebrain index rebuild` to re-tokenize."
REBUILD_ZH = "已入库文档仍使用旧的分词结果：请运行 `ebrain index rebuild` 重新分词。"


def _reminder() -> None:
    console.print(f"[yellow]{say(REBUILD_EN, REBUILD_ZH)}[/]", highlight=False)


@app.command("add")
def add(
    ctx: typer.Context,
    words: list[str] = typer.Argument(..., help="Words to add. / 要添加的词。"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Add words to the user dictionary. / 向用户词典添加词。"""
    with handled(as_json):
        ws = require_workspace(ctx)
        added = add_words(ws, words)
        skipped = [w for w in words if w.strip() not in added]
        if as_json:
            emit_json(
                {
                    "added": added,
                    "skipped": skipped,
                    "path": str(dict_path(ws)),
                    "rebuild_needed": bool(added),
                }
            )
            return
        console.print(say(f"Added {len(added)} word(s).", f"已添加 {len(added)} 个词。"))
        if skipped:
            console.print(say("Already present: ", "已存在：") + safe(", ".join(skipped)))
        if added:
            _reminder()


@app.command("list")
def list_words(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the user dictionary. / 列出用户词典。"""
    with handled(as_json):
        ws = require_workspace(ctx)
        entries = load_entries(ws)
        if as_json:
            emit_json(
                {
                    "path": str(dict_path(ws)),
                    "count": len(entries),
                    "words": [asdict(e) for e in entries],
                }
            )
            return
        if not entries:
            console.print(say("The user dictionary is empty.", "用户词典为空。"))
        for e in entries:
            extra = " ".join(str(x) for x in (e.freq, e.pos) if x is not None)
            word = safe(e.word)
            console.print(f"{word}  [dim]{safe(extra)}[/]" if extra else word, highlight=False)


@app.command("rm")
def rm(
    ctx: typer.Context,
    words: list[str] = typer.Argument(..., help="Words to remove. / 要删除的词。"),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Remove words from the user dictionary. / 从用户词典删除词。"""
    with handled(as_json):
        ws = require_workspace(ctx)
        removed = remove_words(ws, words)
        gone = {word_key(w) for w in removed}
        missing = [w for w in words if word_key(w) not in gone]
        if as_json:
            emit_json(
                {
                    "removed": removed,
                    "missing": missing,
                    "path": str(dict_path(ws)),
                    "rebuild_needed": bool(removed),
                }
            )
            return
        console.print(say(f"Removed {len(removed)} word(s).", f"已删除 {len(removed)} 个词。"))
        if missing:
            console.print(say("Not in the dictionary: ", "词典中没有：") + safe(", ".join(missing)))
        if removed:
            _reminder()
