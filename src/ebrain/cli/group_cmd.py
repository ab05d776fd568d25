"""`ebrain group list|add|remove`: which users are in which group (audited as `cli:<user>`).

Groups are what document ACLs name: a user reads public documents and those shared with one
of its groups."""

from __future__ import annotations

import typer

from ebrain.cli.common import console, emit_json, handled, open_brain, safe
from ebrain.cli.user_cmd import JSON_OPT, cli_actor
from ebrain.i18n import say

app = typer.Typer(help="Groups of users (document ACLs). / 用户组。", no_args_is_help=True)


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """List groups and their members. / 列出组及成员。"""
    with handled(as_json), open_brain(ctx) as brain:
        groups = brain.identity.list_groups()
    if as_json:
        emit_json(groups)
        return
    if not groups:
        console.print(say("No groups yet.", "尚无用户组。"))
    for name, members in groups.items():
        console.print(f"[bold]{safe(name)}[/]: {safe(', '.join(members))}", highlight=False)


def _change(ctx: typer.Context, group: str, users: list[str], add: bool, as_json: bool) -> None:
    with handled(as_json), open_brain(ctx) as brain:
        for user in users:
            change = brain.identity.add_to_group if add else brain.identity.remove_from_group
            change(user, group, actor=cli_actor())
        members = brain.identity.list_groups().get(group, [])
    if as_json:
        emit_json({"group": group, "members": members})
        return
    shown, who = safe(repr(group)), safe(", ".join(users))
    if add:
        console.print(say(f"Added {who} to {shown}", f"已将 {who} 加入 {shown}"))
    else:
        console.print(say(f"Removed {who} from {shown}", f"已将 {who} 移出 {shown}"))


@app.command()
def add(
    ctx: typer.Context,
    group: str = typer.Argument(..., help="Group. / 组。"),
    users: list[str] = typer.Argument(..., help="Users to add. / 要加入的用户。"),
    as_json: bool = JSON_OPT,
) -> None:
    """Add users to a group. / 将用户加入组。"""
    _change(ctx, group, users, True, as_json)


@app.command()
def remove(
    ctx: typer.Context,
    group: str = typer.Argument(..., help="Group. / 组。"),
    users: list[str] = typer.Argument(..., help="Users to remove. / 要移出的用户。"),
    as_json: bool = JSON_OPT,
) -> None:
    """Remove users from a group. / 将用户移出组。"""
    _change(ctx, group, users, False, as_json)
