"""Reading an upload's body: only after the link was checked, never past the cap.

FastAPI's `UploadFile` parameter parses (and spools to disk) the whole multipart body before
the route runs, whoever sent it. Here the route checks the link first, then reads the body
as it arrives and stops at `DUBAN_MAX_UPLOAD_BYTES` (plus room for the form's other fields).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

FORM_ROOM = 16 * 1024  # the csrf field, the part headers and boundaries


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
