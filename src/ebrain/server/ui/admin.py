"""Admin pages (admin role; a 403 page otherwise): users, groups, roles, API keys (a new key is
shown once), the audit log with its verification status, the firewall's events. And the usage
dashboard, open to every user: an admin sees everyone's questions and the model costs; anyone
else only their own questions; cited documents always only those the reader may read.

Every change goes through Brain.identity (which writes the audit entry in the same transaction).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from ebrain.catalog.dashboard_queries import DashboardQueries
from ebrain.errors import EbrainError, NotFoundError
from ebrain.identity import ROLES
from ebrain.server.security import Caller
from ebrain.server.ui import NavItem, Page, add_nav, locale_of, render, router
from ebrain.server.ui.charts import bar_chart, hbar_chart, line_chart
from ebrain.server.ui.kb import labeller

add_nav(NavItem("/ui/dashboard", "Dashboard", "仪表盘"))
add_nav(NavItem("/ui/admin", "Admin", "管理", role="admin"))

PAGE = 100
Name = Annotated[str, Form(min_length=1, max_length=100)]
TABS = (
    ("/ui/admin/users", "Users and groups", "用户与组"),
    ("/ui/admin/keys", "API keys", "API 密钥"),
    ("/ui/admin/audit", "Audit log", "审计日志"),
    ("/ui/admin/firewall", "Firewall events", "防火墙事件"),
)
STAGES = ("input", "context", "output")


def _brain(request: Request) -> Any:
    return request.app.state.server.brain


def _t(request: Request, who: Caller) -> Any:
    lang = locale_of(request, who)
    return lambda en, zh: zh if lang == "zh" else en


def _forbidden(request: Request, who: Caller) -> Response:
    t = _t(request, who)
    return render(
        request,
        "error.html",
        who,
        status=403,
        title=t("Forbidden", "禁止访问"),
        message=t("This page needs the admin role.", "此页面需要管理员角色。"),
    )


def _page(request: Request, who: Caller, template: str, status: int = 200, **kw: Any) -> Response:
    label = labeller(locale_of(request, who))
    return render(request, template, who, status=status, tabs=TABS, label=label, **kw)


def _error(request: Request, who: Caller, doing: tuple[str, str], exc: EbrainError) -> str:
    t = _t(request, who)
    hint = f" ({exc.hint})" if exc.hint else ""
    return f"{t(*doing)}: {exc.message}{hint}"


def _split(text: str) -> list[str]:
    return list(dict.fromkeys(g.strip() for g in text.replace("，", ",").split(",") if g.strip()))


@router.get("/admin")
def admin_home(request: Request, who: Page) -> Response:
    if not who.has_role("admin"):
        return _forbidden(request, who)
    return RedirectResponse("/ui/admin/users", status_code=303)


# --- users, groups, roles -----------------------------------------------------------------
def _users_page(
    request: Request, who: Caller, error: str = "", done: str = "", status: int = 200
) -> Response:
    identity = _brain(request).identity
    return _page(
        request,
        who,
        "admin/users.html",
        status=status,
        users=identity.list_users(),
        groups=sorted(identity.list_groups().items()),
        roles=ROLES,
        error=error,
        done=done,
    )


@router.get("/admin/users")
def users_page(
    request: Request, who: Page, done: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    if not who.has_role("admin"):
        return _forbidden(request, who)
    return _users_page(request, who, done=done)


@router.post("/admin/users")
def create_user(
    request: Request,
    who: Page,
    name: Name,
    role: Annotated[str, Form(max_length=20)] = "viewer",
    groups: Annotated[str, Form(max_length=6000)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    if not who.has_role("admin"):
        return _forbidden(request, who)
    try:
        _brain(request).identity.create_user(
            name.strip(),
            role=role,
            groups=_split(groups),
            password=password or None,
            actor=who.name,
        )
    except EbrainError as exc:
        message = _error(request, who, ("Could not create the user", "无法创建用户"), exc)
        return _users_page(request, who, error=message, status=exc.status)
    return RedirectResponse(f"/ui/admin/users?done=created:{name.strip()[:64]}", 303)


@router.post("/admin/users/{name}")
def change_user(
    request: Request,
    who: Page,
    name: str,
    role: Annotated[str, Form(max_length=20)],
    groups: Annotated[str, Form(max_length=6000)] = "",
    disabled: Annotated[str, Form(max_length=10)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Set a user's role, groups (the whole list), whether it is disabled, and (when given) a
    new password."""
    if not who.has_role("admin"):
        return _forbidden(request, who)
    if name == who.name and (role != "admin" or disabled == "on"):
        t = _t(request, who)
        message = t(
            "You cannot take away your own admin role or disable yourself (another admin can).",
            "不能取消自己的管理员角色或停用自己（可由其他管理员操作）。",
        )
        return _users_page(request, who, error=message, status=409)
    try:
        _apply_user(request, who, name[:100], role, _split(groups), disabled == "on")
        if password:
            _brain(request).identity.set_password(name[:100], password, actor=who.name)
    except EbrainError as exc:
        message = _error(request, who, ("Could not change the user", "无法修改用户"), exc)
        return _users_page(request, who, error=message, status=exc.status)
    return RedirectResponse("/ui/admin/users?done=saved", status_code=303)


def _apply_user(
    request: Request, who: Caller, name: str, role: str, groups: list[str], disabled: bool
) -> None:
    identity = _brain(request).identity
    user = identity.get_user(name)
    if user is None:
        raise NotFoundError(f"no user named {name!r}")
    if role != user.role:
        identity.set_role(name, role, actor=who.name)
    for group in [g for g in groups if g not in user.groups]:
        identity.add_to_group(name, group, actor=who.name)
    for group in [g for g in user.groups if g not in groups]:
        identity.remove_from_group(name, group, actor=who.name)
    if disabled != user.disabled:
        change = identity.disable_user if disabled else identity.enable_user
        change(name, actor=who.name)


# --- API keys -----------------------------------------------------------------------------
def _keys_page(
    request: Request, who: Caller, *, new_key: Any = None, error: str = "", status: int = 200
) -> Response:
    brain = _brain(request)
    return _page(
        request,
        who,
        "admin/keys.html",
        status=status,
        keys=brain.identity.list_keys(),
        users=[u.name for u in brain.identity.list_users() if not u.disabled],
        kbs=brain.catalog.kb_names(),
        new_key=new_key,
        error=error,
    )


@router.get("/admin/keys")
def keys_page(request: Request, who: Page) -> Response:
    if not who.has_role("admin"):
        return _forbidden(request, who)
    return _keys_page(request, who)


@router.post("/admin/keys")
def create_key(
    request: Request,
    who: Page,
    user: Name,
    kbs: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Create a key and show it once, in this response only (never stored, never again)."""
    if not who.has_role("admin"):
        return _forbidden(request, who)
    try:
        raw, key = _brain(request).identity.create_key(
            user, kbs=[k[:100] for k in (kbs or [])][:100], actor=who.name
        )
    except EbrainError as exc:
        message = _error(request, who, ("Could not create the key", "无法创建密钥"), exc)
        return _keys_page(request, who, error=message, status=exc.status)
    return _keys_page(request, who, new_key={"raw": raw, "key": key}, status=201)


@router.post("/admin/keys/{key_id}/revoke")
def revoke_key(request: Request, who: Page, key_id: str) -> Response:
    if not who.has_role("admin"):
        return _forbidden(request, who)
    try:
        _brain(request).identity.revoke_key(key_id[:64], actor=who.name)
    except EbrainError as exc:
        message = _error(request, who, ("Could not revoke the key", "无法吊销密钥"), exc)
        return _keys_page(request, who, error=message, status=exc.status)
    return RedirectResponse("/ui/admin/keys", status_code=303)


# --- audit log and firewall events ------------------------------------------------------
@router.get("/admin/audit")
def audit_page(
    request: Request,
    who: Page,
    before: Annotated[int | None, Query(ge=1, le=2**62)] = None,
    action: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    """The newest entries (a page before `before`), and whether the whole chain verifies."""
    if not who.has_role("admin"):
        return _forbidden(request, who)
    brain = _brain(request)
    entries = DashboardQueries(brain.engine).audit_entries(before, PAGE, action or None)
    older = entries[-1]["seq"] if len(entries) == PAGE else None
    return _page(
        request,
        who,
        "admin/audit.html",
        verify=brain.audit.verify(),
        entries=entries,
        older=older,
        action=action,
        actions=_audit_actions(),
    )


def _audit_actions() -> tuple[str, ...]:
    from ebrain.audit import ACTIONS

    return ACTIONS


@router.get("/admin/firewall")
def firewall_page(
    request: Request,
    who: Page,
    stage: Annotated[str, Query(max_length=20)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    if not who.has_role("admin"):
        return _forbidden(request, who)
    stage = stage if stage in STAGES else ""
    total, events = DashboardQueries(_brain(request).engine).guard_events(
        PAGE, (page - 1) * PAGE, stage or None
    )
    pages = max(1, -(-total // PAGE))
    return _page(
        request,
        who,
        "admin/firewall.html",
        events=_readable_excerpts(request, who, events),
        total=total,
        page=page,
        pages=pages,
        stage=stage,
        stages=STAGES,
    )


def _readable_excerpts(
    request: Request, who: Caller, events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Events with the excerpts of passages and answers blanked where they may come from
    documents the admin may not read: shown only when the asker's groups are all the admin's
    own (what the asker could read, the admin can), or the admin asked."""
    identity = _brain(request).identity
    mine = set(who.user.groups)
    allowed: dict[str, bool] = {}
    for event in events:
        event["hidden"] = False
        asker = str(event.get("user_name") or "")
        if event.get("stage") == "input" or asker == who.name:
            continue
        if asker not in allowed:
            user = identity.get_user(asker) if asker else None
            allowed[asker] = user is not None and set(user.groups) <= mine
        if not allowed[asker]:
            event["excerpt"], event["hidden"] = "", True
    return events


# --- the usage dashboard (every user, scoped) ------------------------------------------------
@router.get("/dashboard")
def dashboard_page(
    request: Request, who: Page, days: Annotated[int, Query(ge=1, le=366)] = 30
) -> Response:
    brain = _brain(request)
    everyone = who.has_role("admin")
    report = brain.usage_report(principal=who.principal, everyone=everyone, days=days)
    stats = brain.reader_stats(principal=who.principal, kbs=list(who.kbs) or None)
    return render(
        request,
        "admin/dashboard.html",
        who,
        report=report,
        stats=stats,
        days=days,
        charts=_charts(report, _t(request, who)),
        label=labeller(locale_of(request, who)),
    )


def _charts(report: Any, t: Any) -> dict[str, Any]:
    """The dashboard's SVG charts (labels escaped by charts.py)."""
    days = [d[5:] for d, _ in report.questions_per_day]  # MM-DD
    questions = [(d[5:], float(n)) for d, n in report.questions_per_day]
    p50 = [p for _, p, _ in report.latency_per_day]
    p95 = [p for _, _, p in report.latency_per_day]
    tokens = [
        (str(m["model"]), float(m["prompt_tokens"] + m["completion_tokens"])) for m in report.models
    ]
    cost = [(str(m["model"]), float(m["cost"])) for m in report.models]
    cited = [(str(d["title"]), float(d["citations"])) for d in report.top_documents]
    return {
        "questions": bar_chart(questions, title=t("Questions per day", "每日提问数")),
        "latency": line_chart(
            days,
            [("p50", p50), ("p95", p95)],
            title=t("Answer latency per day (ms)", "每日回答延迟（毫秒）"),
            unit=" ms",
        ),
        "tokens": hbar_chart(tokens, title=t("Tokens per model", "各模型 token 数")),
        "cost": hbar_chart(cost, title=t("Cost per model", "各模型费用")),
        "cited": hbar_chart(cited, title=t("Most cited documents", "被引用最多的文档")),
    }
