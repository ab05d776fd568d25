"""`ebrain user create|list|disable|enable|passwd|role`: the server's users (ebrain.identity).

Every change is written to the audit log with the actor `cli:<login name of the OS user>`.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Mapping

import typer
from rich.table import Table

from ebrain.cli.common import console, emit_json, handled, open_brain, safe
from ebrain.errors import InvalidInputError
from ebrain.i18n import say

app = typer.Typer(help="Users of the API server. / 服务器用户。", no_args_is_help=True)

JSON_OPT = typer.Option(False, "--json", help="Print JSON.")


def cli_actor() -> str:
    """The audit actor of a CLI change: `cli:` and the OS user's login name."""
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return "cli:unknown"


def read_password(from_stdin: bool) -> str:
    """A new password: the first line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        line = sys.stdin.readline(4096).rstrip("\r\n")
        if not line:
            raise InvalidInputError("no password on stdin", hint="echo 'PASSPHRASE' | ebrain …")
        return line
    text: str = typer.prompt(
        say("New password", "新密码"), hide_input=True, confirmation_prompt=True
    )
    return text


@app.command()
def create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="User name. / 用户名。"),
    groups: list[str] = typer.Option([], "--group", "-g", help="Group (repeatable). / 组。"),
    role: str = typer.Option("viewer", "--role", "-r", help="admin, editor or viewer."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin (else: no password)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Create a user (no password unless --password-stdin). / 创建用户。"""
    with handled(as_json):
        password = read_password(True) if password_stdin else None
        with open_brain(ctx) as brain:
            user = brain.identity.create_user(
                name, groups=groups, role=role, password=password, actor=cli_actor()
            )
    if as_json:
        emit_json({**user.to_dict(), "has_password": password is not None})
        return
    shown = safe(repr(user.name))
    console.print(say(f"User {shown} created ({user.role})", f"已创建用户 {shown}（{user.role}）"))
    if password is None:
        hint = safe(f"ebrain user passwd {user.name}")
        console.print(
            say(f"No password yet: set one with `{hint}`", f"尚无密码：运行 `{hint}` 设置")
        )


@app.command("list")
def list_(ctx: typer.Context, as_json: bool = JSON_OPT) -> None:
    """List users. / 列出用户。"""
    with handled(as_json), open_brain(ctx) as brain:
        users = brain.identity.list_users()
    if as_json:
        emit_json([u.to_dict() for u in users])
        return
    table = Table()
    for col in (
        say("name", "名称"),
        say("role", "角色"),
        say("groups", "组"),
        say("state", "状态"),
    ):
        table.add_column(col)
    for u in users:
        state = say("disabled", "已停用") if u.disabled else say("active", "启用")
        table.add_row(safe(u.name), safe(u.role), safe(", ".join(u.groups)), state)
    console.print(table)


def _done(as_json: bool, data: Mapping[str, object], en: str, zh: str) -> None:
    if as_json:
        emit_json(data)
    else:
        console.print(say(en, zh))


@app.command()
def disable(ctx: typer.Context, name: str, as_json: bool = JSON_OPT) -> None:
    """Disable a user: no login, no API key, sessions end. / 停用用户。"""
    with handled(as_json), open_brain(ctx) as brain:
        brain.identity.disable_user(name, actor=cli_actor())
    shown = safe(repr(name))
    _done(as_json, {"user": name, "disabled": True}, f"Disabled {shown}", f"已停用 {shown}")


@app.command()
def enable(ctx: typer.Context, name: str, as_json: bool = JSON_OPT) -> None:
    """Enable a disabled user again. / 重新启用用户。"""
    with handled(as_json), open_brain(ctx) as brain:
        brain.identity.enable_user(name, actor=cli_actor())
    shown = safe(repr(name))
    _done(as_json, {"user": name, "disabled": False}, f"Enabled {shown}", f"已启用 {shown}")


@app.command()
def passwd(
    ctx: typer.Context,
    name: str,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from stdin (else: prompt)."
    ),
    as_json: bool = JSON_OPT,
) -> None:
    """Set a user's password (its sessions end). / 设置密码。"""
    with handled(as_json):
        password = read_password(password_stdin or as_json)
        with open_brain(ctx) as brain:
            brain.identity.set_password(name, password, actor=cli_actor())
    shown = safe(repr(name))
    _done(
        as_json,
        {"user": name, "password_set": True},
        f"Password of {shown} set",
        f"已设置 {shown} 的密码",
    )


@app.command()
def role(
    ctx: typer.Context,
    name: str,
    new_role: str = typer.Argument(..., metavar="ROLE", help="admin, editor or viewer."),
    as_json: bool = JSON_OPT,
) -> None:
    """Change a user's role. / 修改角色。"""
    with handled(as_json), open_brain(ctx) as brain:
        brain.identity.set_role(name, new_role, actor=cli_actor())
    shown = safe(repr(name))
    data = {"user": name, "role": new_role}
    _done(
        as_json, data, f"{shown} is now {safe(new_role)}", f"{shown} 的角色已改为 {safe(new_role)}"
    )
