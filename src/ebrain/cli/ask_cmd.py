"""`ebrain ask` and `ebrain chat`: grounded answers with numbered citations."""

from __future__ import annotations

from typing import Any

import typer

from ebrain.auth import Principal
from ebrain.cli.common import console, emit_json, handled, open_brain, plain
from ebrain.i18n import say

_ASSISTANT = typer.Option(None, "--assistant", "-a", help="sales, support, management or yours.")
_MODEL = typer.Option(None, "--model", "-m", help="Model alias, role or URL; `none` = extractive.")
_KB = typer.Option(None, "--kb", help="Knowledge base to search.")
_GROUP = typer.Option(None, "--group", "-g", help="Your user group (permissions and policies).")
_JSON = typer.Option(False, "--json", help="Print JSON. / 输出 JSON。")
_EXPLAIN = typer.Option(
    False, "--explain", help="Show the refusal evidence and decision. / 显示拒答依据与判定。"
)


def _options(
    assistant: str | None, model: str | None, kb: str | None, group: str | None
) -> dict[str, Any]:
    principal = Principal.user("cli", [group]) if group else Principal.owner()
    return {
        "assistant": assistant,
        "model": model,
        "kb": kb,
        "group": group,
        "principal": principal,
    }


def print_answer(answer: Any, text_shown: bool = False) -> None:
    """The answer, then its numbered citations (title, page, quote) or the closest documents."""
    lang = answer.lang
    if not text_shown:
        console.print(plain(answer.text), highlight=False, markup=False)
    if answer.refused and answer.closest:
        console.print(say("Closest documents:", "最接近的文档：", lang), style="dim")
        for doc in answer.closest:
            line = plain(f"  - {doc['title']}  ({doc['path']})")
            console.print(line, highlight=False, markup=False)
    for c in answer.citations:
        page = say(f", p. {c.page}", f"，第 {c.page} 页", lang) if c.page else ""
        mark = "" if c.verified else say("  (unverified)", "（未核实）", lang)
        console.print(plain(f"[{c.n}] {c.title}{page}{mark}"), highlight=False, markup=False)
        console.print(plain(f"    “{c.quote}”"), style="dim", highlight=False, markup=False)


def print_refusal_evidence(answer: Any) -> None:
    """The refusal model's features, their share of the log-odds, and the decision."""
    info = answer.refusal
    lang = answer.lang
    if not info:
        console.print(say("No refusal evidence (no hits).", "无拒答依据（没有检索结果）。", lang))
        return
    verdict = say("refuse", "拒答", lang) if info["refused"] else say("answer", "回答", lang)
    head = say("Refusal model", "拒答模型", lang)
    line = f"{head} {info['model']}: P(answerable) = {info['p_answerable']:.3f}"
    console.print(plain(f"{line}, threshold {info['threshold']:.3f} -> {verdict}"), markup=False)
    for name, value in info["features"].items():
        part = info["contributions"].get(name)
        share = f"  ({part:+.3f})" if part is not None else ""
        console.print(plain(f"  {name:<12} {value:>8.4f}{share}"), style="dim", markup=False)


def ask(
    ctx: typer.Context,
    question: str = typer.Argument(..., help="Your question. / 你的问题。"),
    assistant: str | None = _ASSISTANT,
    model: str | None = _MODEL,
    kb: str | None = _KB,
    group: str | None = _GROUP,
    stream: bool = typer.Option(False, "--stream", help="Print the answer as it is written."),
    explain: bool = _EXPLAIN,
    as_json: bool = _JSON,
) -> None:
    """Ask the knowledge base; the answer cites its sources. / 提问，回答附带引用。"""
    with handled(as_json):
        brain = open_brain(ctx)
        try:
            options = _options(assistant, model, kb, group)
            if stream and not as_json:
                _stream(brain.ask_stream(question, **options))
                return
            answer = brain.ask(question, **options)
            if as_json:
                emit_json(answer.to_dict())
                return
            print_answer(answer)
            if explain:
                print_refusal_evidence(answer)
        finally:
            brain.close()


def _stream(items: Any) -> None:
    shown = False
    for item in items:
        if isinstance(item, str):
            console.out(plain(item), end="", highlight=False)
            shown = True
            continue
        if shown:
            console.out("")
            if item.text and item.blocked:
                console.print(plain(item.text), highlight=False, markup=False)
        print_answer(item, text_shown=shown and not item.blocked)


def chat(
    ctx: typer.Context,
    assistant: str | None = _ASSISTANT,
    model: str | None = _MODEL,
    kb: str | None = _KB,
    group: str | None = _GROUP,
) -> None:
    """Talk with the knowledge base; an empty line or `exit` ends. / 多轮对话，空行或 exit 退出。"""
    with handled(False):
        brain = open_brain(ctx)
        try:
            conversation = brain.conversation(**_options(assistant, model, kb, group))
            console.print(say("Ask a question (empty line to quit).", "请输入问题（空行退出）。"))
            while True:
                try:
                    line = input("> ").strip()
                except EOFError:
                    break
                if not line or line.lower() in {"exit", "quit", "q", "退出"}:
                    break
                _stream(conversation.stream(line))
        finally:
            brain.close()


def register(app: typer.Typer) -> None:
    """Attach `ask` and `chat` to the root command."""
    app.command()(ask)
    app.command()(chat)
