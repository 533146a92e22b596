"""Staff import of openings over HTTP: `POST /api/staff/openings/import` (CSV or JSON body).

The same all-or-nothing import as `jobbot openings import`: 200 with the counts when
stored, 422 with the invalid rows (number and reason; the first 1,000, all counted in
``invalid``) when nothing was stored, 400 for an unreadable file, 415 for another content
type, 401 without a staff token. Community and street staff import only inside their own
area (other rows are invalid rows); administrators import anywhere.
"""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from bots.web.staff_api import RuntimeDep, StaffDep
from core.openings.importing import Importer, import_openings
from core.openings.rows import UnreadableFile, read_bytes
from core.openings.store import ImportReport
from core.people.staff import Role, StaffView
from core.runtime import Runtime
from core.timeutil import utcnow

PATH = "/api/staff/openings/import"
KINDS = {"text/csv": "csv", "application/json": "json"}


class RowErrorOut(BaseModel):
    row: int
    reason: str


class ImportOut(BaseModel):
    applied: bool
    created: int
    updated: int
    unchanged: int
    invalid: int
    errors: list[RowErrorOut]


router = APIRouter(tags=["staff"])


@router.post(PATH, response_model=ImportOut)
async def import_route(
    request: Request,
    staff: StaffDep,
    runtime: RuntimeDep,
    skip_invalid: Annotated[bool, Query()] = False,
) -> JSONResponse:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    kind = KINDS.get(media)
    if kind is None:
        raise HTTPException(415, "send the file as text/csv or application/json")
    body = await request.body()
    try:
        report = await anyio.to_thread.run_sync(_import, runtime, staff, body, kind, skip_invalid)
    except UnreadableFile as exc:
        raise HTTPException(400, str(exc)) from None
    out = ImportOut(
        applied=report.applied,
        created=report.created,
        updated=report.updated,
        unchanged=report.unchanged,
        invalid=report.invalid,
        errors=[RowErrorOut(row=e.row, reason=e.reason) for e in report.errors],
    )
    return JSONResponse(out.model_dump(), status_code=200 if report.applied else 422)


def _import(
    runtime: Runtime, staff: StaffView, body: bytes, kind: str, skip_invalid: bool
) -> ImportReport:
    rows = read_bytes(body, kind)  # an unreadable header fails here, before any write
    scope = None if staff.role == Role.ADMIN else staff.area_code
    report = import_openings(
        runtime.db,
        runtime.content,
        rows,
        now=utcnow(),
        skip_invalid=skip_invalid,
        by=Importer(f"staff:{staff.id}", "web", scope),
    )
    if report.changed:
        runtime.catalogue.refresh_now()
    return report


def install(app: FastAPI, runtime: Runtime) -> None:
    app.include_router(router)
