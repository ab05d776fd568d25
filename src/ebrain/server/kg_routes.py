"""Knowledge-graph routes: the queries of `ebrain kg entity|neighbors|path|records|export` and
`ebrain insights support`.

Every read runs as the caller's Principal and within the caller's key's knowledge bases: an
entity that only documents the caller may not read mention answers 404, like one that does not
exist, and it is never counted, listed as a neighbour, or exported.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from ebrain.server.errors import ERROR_RESPONSES
from ebrain.server.security import Caller, Viewer

router = APIRouter(prefix="/api/kg", tags=["knowledge graph"], responses=ERROR_RESPONSES)
Name = Query(..., min_length=1, max_length=200, description="An entity name or alias.")
RecordType = Literal["contract", "meeting_minutes", "fault_analysis", "transcript"]
MEDIA = {"graphml": "application/graphml+xml", "jsonld": "application/ld+json"}


def _graph(request: Request, who: Caller) -> Any:
    """The graph as this caller reads it (its key's knowledge bases only, when limited)."""
    return request.app.state.server.brain.kg.scoped(list(who.kbs) or None)


@router.get("/entity", summary="An entity: aliases, the documents mentioning it, relations")
def entity(request: Request, who: Viewer, name: str = Name) -> dict[str, Any]:
    out: dict[str, Any] = _graph(request, who).entity(name, principal=who.principal)
    return out


@router.get("/neighbors", summary="Entities linked to an entity, most shared documents first")
def neighbors(
    request: Request, who: Viewer, name: str = Name, limit: int = Query(20, ge=1, le=500)
) -> dict[str, Any]:
    out: dict[str, Any] = _graph(request, who).neighbors(name, limit, principal=who.principal)
    return out


@router.get("/path", summary="The shortest chain of entities between two (at most 4 hops)")
def path(
    request: Request,
    who: Viewer,
    a: str = Query(..., min_length=1, max_length=200, alias="from"),
    b: str = Query(..., min_length=1, max_length=200, alias="to"),
) -> dict[str, Any]:
    out: dict[str, Any] = _graph(request, who).path(a, b, principal=who.principal)
    return out


@router.get("/records/{kind}", summary='Structured records of a type (filter: "amount > 1000000")')
def records(
    request: Request,
    who: Viewer,
    kind: RecordType = PathParam(..., description="The record type."),
    where: str = Query("", max_length=500, description="A safe filter over the record fields."),
    limit: int = Query(1000, ge=1, le=10_000),
) -> dict[str, Any]:
    rows = _graph(request, who).records(kind, where, limit, principal=who.principal)
    return {"type": kind, "where": where, "count": len(rows), "records": rows}


@router.get(
    "/export",
    summary="The graph you may read, as GraphML or JSON-LD",
    response_class=Response,
    responses={200: {"content": {MEDIA["graphml"]: {}, MEDIA["jsonld"]: {}}}},
)
def export(
    request: Request,
    who: Viewer,
    fmt: Literal["graphml", "jsonld"] = Query("graphml", alias="format"),
) -> Response:
    text = _graph(request, who).export(fmt, principal=who.principal)
    return Response(text, media_type=MEDIA[fmt])


@router.get(
    "/insights/support",
    summary="Support insights from the transcripts you may read (as `ebrain insights support`)",
)
def support_insights(
    request: Request,
    who: Viewer,
    kb: list[str] | None = Query(None, max_length=50),
    since: str | None = Query(None, max_length=10, description="YYYY-MM-DD"),
    min_count: int = Query(2, ge=1, le=1000),
) -> dict[str, Any]:
    brain = request.app.state.server.brain
    out: dict[str, Any] = brain.insights(
        "support", principal=who.principal, kb=who.scoped_kbs(kb), since=since, min_count=min_count
    )
    return out
