"""A unit's upload of its template (`/u/{token}/upload`), and reading the body: only after
the link was checked, never past the cap.

FastAPI's `UploadFile` parameter parses (and spools to disk) the whole multipart body before
the route runs, whoever sent it. Here the route checks the link first, then reads the body
as it arrives and stops at `DUBAN_MAX_UPLOAD_BYTES` (plus room for the form's other fields).
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from db.models import Request as ReportRequest
from duban.portal.deps import Claims, Clock, Page, PortalSettings, Rt, Tokens
from flows.receipts import enqueue_receipt, enqueue_rejection
from notifications.links import LinkError
from reporting.intake import SubmissionRejected, submit_file

FORM_ROOM = 16 * 1024  # the csrf field, the part headers and boundaries
router = APIRouter()


class TooLarge(Exception):
    pass


class BadForm(Exception):
    pass


@dataclass(frozen=True)
class Upload:
    csrf: str
    filename: str
    data: bytes


async def read_capped(request: Request, cap: int) -> bytes:
    """The body, or TooLarge as soon as it is longer than `cap` (declared or read)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLarge  # stop reading: the rest of the body is never taken in
        chunks.append(chunk)
    return b"".join(chunks)


async def read_upload(request: Request, max_bytes: int) -> Upload:
    """The upload form's csrf field and its one file, within `max_bytes` for the file."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise BadForm
    body = await read_capped(request, max_bytes + FORM_ROOM)

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        request.headers, once(), max_files=1, max_fields=4, max_part_size=FORM_ROOM
    )
    parser.spool_max_size = max_bytes + FORM_ROOM  # already in memory: keep it there
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise BadForm from exc
    file = form.get("file")
    if not isinstance(file, UploadFile):
        raise BadForm
    data = await file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLarge
    csrf = form.get("csrf")
    return Upload(csrf if isinstance(csrf, str) else "", file.filename or "", data)


def size_text(max_bytes: int) -> str:
    return f"{max_bytes // 2**20} MB" if max_bytes >= 2**20 else f"{max_bytes // 1024} KB"


@router.post("/u/{token}/upload", response_class=HTMLResponse)
async def unit_upload(
    request: Request,
    token: str,
    claims: Claims,
    rt: Rt,
    now: Clock,
    page: Page,
    tokens: Tokens,
    settings: PortalSettings,
) -> HTMLResponse:
    # The link first (the dependency): nobody without one gets the body read, let alone spooled.
    cap = settings.max_upload_bytes
    try:
        upload = await read_upload(request, cap)
    except TooLarge:
        return page.refuse(413, f"文件超过 {size_text(cap)}，请检查是否选错文件")
    except BadForm:
        return page.refuse(415, "只接受本期模板 .xlsx 文件，请选择文件后再上传")
    if not tokens.check_csrf(token, upload.csrf):
        return page.refuse(403, "表单已失效，请刷新页面后重新提交 (CSRF check failed)")
    if not upload.filename.lower().endswith(".xlsx") or not upload.data.startswith(b"PK"):
        return page.refuse(415, "只接受本期模板 .xlsx 文件")
    with rt.sessions() as session:
        req = session.get(ReportRequest, claims.request_id)
        if req is None:
            raise LinkError("链接无效 (invalid link)")
        code = req.code
    at = now()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.xlsx"
        path.write_bytes(upload.data)
        try:
            with rt.sessions.begin() as session:
                result = submit_file(
                    session,
                    path,
                    now=at,
                    store_dir=rt.var_dir / "submissions",
                    channel="web",
                    expected_unit=claims.unit_id,
                    expected_code=code,
                    submitter="portal-upload",
                )
                enqueue_receipt(rt, session, result, at)  # told by message too, as every channel
        except SubmissionRejected as exc:
            link = f"{rt.links.base_url}/u/{token}" if rt.links is not None else None
            with rt.sessions.begin() as session:  # told by message too, with the way back
                enqueue_rejection(
                    rt, session, claims.unit_id, upload.filename, exc.problems, at, link
                )
            return page.message(422, "文件未被接受", "；".join(exc.problems), back=f"/u/{token}")
    return page(
        "receipt.html",
        title="报送成功" if result.complete else "已暂存，尚未完成报送",
        code=result.request_code,
        received=at,
        late=result.late,
        token=token,
        accepted=result.accepted,
        missing=result.missing,
    )
