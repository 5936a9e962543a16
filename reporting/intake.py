"""Record submissions: the whole file or nothing, every version kept, the latest counts.

The same intake serves every channel (inbox folder, `duban submit`, the web form and upload),
and the same rules (`reporting.answers`): a value that is not plausible is refused, a
submission that leaves tasks or targets unanswered is kept as a 暂存.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import IndicatorValue, ProgressRow, Request, Submission
from reporting.answers import check_answers, missing_lines, problem_lines
from reporting.completeness import Missing
from reporting.requests import due_end, set_status
from reporting.unit_text import BadNumber, clean, figure
from reporting.work import UnitWork, unit_work_for_request
from reporting.workbook import (
    MAX_FILE_BYTES,
    Details,
    FilledTemplate,
    ProgressLine,
    ValueLine,
    WorkbookRejected,
    read_filled,
)
from vocab.words import ProgressStatus, RequestStatus

MAX_TEXT = 2000  # characters of progress text a task keeps


log = logging.getLogger(__name__)


class SubmissionRejected(Exception):
    def __init__(self, problems: list[str], fields: dict[str, str] | None = None):
        self.problems = problems
        self.fields = fields or {}  # form field (value_12): its message, for the web form
        super().__init__("；".join(problems))


@dataclass
class IntakeResult:
    request_code: str
    submission_id: int
    duplicate: bool
    late: bool
    complete: bool = True  # False: kept as 暂存, the request stays open
    missing: list[str] = field(default_factory=list)  # what is still to be answered
    accepted: str = ""  # 任务进展 7 项、指标数据 3 项
    items: list[Missing] = field(default_factory=list)  # the missing items as data


def record(
    session: Session,
    request: Request,
    progress: list[ProgressLine],
    values: list[ValueLine],
    *,
    now: dt.datetime,
    channel: str,
    submitter: str | None = None,
    file_path: str | None = None,
    sha256: str | None = None,
    details: Details | None = None,
) -> IntakeResult:
    """Validate the rows against the request's tasks and targets and store them as one
    submission; raise SubmissionRejected (nothing written) when a row does not belong or a
    value is not plausible. A submission that leaves a task or target unanswered is kept as a
    暂存: it changes no request status, so reminders go on."""
    if request.status == RequestStatus.WAIVED:
        raise SubmissionRejected([f"请求 {request.code} 已免报，无需报送 (waived)"])
    details = details or Details()
    if sha256:
        existing = session.scalar(
            select(Submission).where(
                Submission.request_id == request.id, Submission.sha256 == sha256
            )
        )
        if existing is not None:
            return IntakeResult(
                request.code,
                existing.id,
                True,
                existing.late,
                existing.complete,
                list(existing.missing or []),
                "与已收到的文件相同",
            )
    period, plan, work = unit_work_for_request(session, request)
    progress, values = _checked(work, progress, values)
    checked = check_answers(
        session, period, plan, request.unit_id, work, progress, values, details.reasons
    )
    if checked.findings:
        fields = {
            f"value_{i}": "；".join(f.message for f in fs) for i, fs in checked.findings.items()
        }
        raise SubmissionRejected(problem_lines(checked, details.cells), fields)
    missing = missing_lines(checked.missing, details.cells)
    late = now >= due_end(request.due_on)
    submission = Submission(
        request_id=request.id,
        received_at=now,
        channel=channel,
        submitter=submitter,
        file_path=file_path,
        sha256=sha256,
        late=late,
        complete=checked.complete,
        filler=clean(details.filler)[:50] or None,
        phone=clean(details.phone)[:40] or None,
        missing=missing or None,
        reasons={str(k): clean(v)[:500] for k, v in details.reasons.items()} or None,
    )
    session.add(submission)
    session.flush()
    stored = [p for p in progress if p.status in set(ProgressStatus)]
    session.add_all(
        ProgressRow(
            submission_id=submission.id,
            task_id=p.task_id,
            status=p.status,
            text=p.text,
            problems=p.problems or None,
            next_steps=p.next_steps or None,
        )
        for p in stored
    )
    as_of = min(now.date(), period.end)
    session.add_all(
        IndicatorValue(
            submission_id=submission.id,
            target_id=v.target_id,
            value=v.value,
            as_of=as_of,
            note=v.note or None if v.target_id in checked.explained else None,
        )
        for v in values
    )
    if request.status == RequestStatus.PENDING and checked.complete:
        status = RequestStatus.LATE if late else RequestStatus.SUBMITTED
        set_status(session, request, status, now, f"via {channel}")
    session.flush()
    accepted = f"任务进展 {len(stored)} 项、指标数据 {len(values)} 项"
    if details.reasons:
        accepted += f"、未填原因 {len(details.reasons)} 项"
    return IntakeResult(
        request.code,
        submission.id,
        False,
        late,
        checked.complete,
        missing,
        accepted,
        checked.missing,
    )


def _checked(
    work: UnitWork, progress: list[ProgressLine], values: list[ValueLine]
) -> tuple[list[ProgressLine], list[ValueLine]]:
    """The rows as stored: each belongs to the request, texts without control characters,
    figures the database can hold; raise SubmissionRejected naming every problem. Every
    channel passes here, whatever it checked itself."""
    task_ids = {t.id for t, _ in work.tasks}
    target_by_id = {t.id: t for t in work.targets}
    problems = [
        f"任务进展: 任务ID {p.task_id} 不属于本单位本期任务 (task not in this request)"
        for p in progress
        if p.task_id not in task_ids
    ]
    problems += [
        f"任务进展: 状态“{p.status}”无效，应为 {'、'.join(ProgressStatus)} (invalid status)"
        for p in progress
        if p.status and p.status not in set(ProgressStatus)
    ]
    problems += [
        f"指标数据: 指标ID {v.target_id} 不属于本单位 (target not owned by this unit)"
        for v in values
        if v.target_id not in target_by_id
    ]
    cleaned_values = []
    for v in values:
        target = target_by_id.get(v.target_id)
        try:
            cleaned_values.append(ValueLine(v.target_id, figure(v.value), clean(v.note)[:MAX_TEXT]))
        except BadNumber as exc:
            name = target.name if target is not None else f"指标ID {v.target_id}"
            problems.append(f"指标数据: {name} 的值 {v.value} {exc}")
    if problems:
        raise SubmissionRejected(problems)
    cleaned = [
        ProgressLine(
            p.task_id,
            p.status,
            clean(p.text)[:MAX_TEXT],
            clean(p.problems)[:MAX_TEXT],
            clean(p.next_steps)[:MAX_TEXT],
        )
        for p in progress
    ]
    return cleaned, cleaned_values


def submit_file(
    session: Session,
    path: Path,
    *,
    now: dt.datetime,
    store_dir: Path,
    channel: str = "excel",
    expected_unit: str | None = None,
    submitter: str | None = None,
    expected_code: str | None = None,
) -> IntakeResult:
    """Take a filled template: validate it whole, keep the file and its sha256, record it."""
    data = _read_small(path)
    try:
        filled: FilledTemplate = read_filled(data)
    except WorkbookRejected as exc:
        raise SubmissionRejected(exc.problems) from None
    request = session.scalar(select(Request).where(Request.code == filled.code))
    if request is None:
        raise SubmissionRejected(
            [f"填报说明!B7: 参考编号 {filled.code} 不存在 (unknown reference code)"]
        )
    if expected_code and request.code != expected_code:
        raise SubmissionRejected(
            [
                f"此文件属于报送请求 {request.code}，不是本链接的 {expected_code} (file for another request; 请下载本页的模板)"
            ]
        )
    if expected_unit and request.unit_id != expected_unit:
        raise SubmissionRejected(
            [
                f"此文件属于 {request.unit_id} 的报送请求 {request.code}，不能由 {expected_unit} 报送 (file for another unit's request)"
            ]
        )
    if filled.unit_id and filled.unit_id != request.unit_id:
        raise SubmissionRejected(
            [f"填报说明!B4: 单位ID {filled.unit_id} 与参考编号不符 (unit id changed)"]
        )
    sha = hashlib.sha256(data).hexdigest()
    kept = store_dir / request.code / f"{sha}.xlsx"
    result = record(
        session,
        request,
        filled.progress,
        filled.values,
        now=now,
        channel=channel,
        submitter=submitter,
        file_path=str(kept),
        sha256=sha,
        details=filled.details,
    )
    if not result.duplicate:
        kept.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, kept)
    return result


def _read_small(path: Path) -> bytes:
    """The file's bytes, its size checked before reading (a 1 GiB file is not read whole)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limit = MAX_FILE_BYTES // 1024 // 1024
            raise SubmissionRejected(
                [f"文件过大（{size // 1024 // 1024} MB，上限 {limit} MB） (file too large)"]
            )
        with open(path, "rb") as handle:
            return handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SubmissionRejected([f"{path}: 无法读取 (cannot read: {exc.strerror})"]) from None


@dataclass
class InboxOutcome:
    file: str
    status: str  # accepted | partial (暂存) | duplicate | rejected
    detail: str
    result: IntakeResult | None = None  # what was recorded (None: rejected)
    unit_id: str | None = None  # whose file, when its folder says (inbox/<unit id>/)
    problems: list[str] = field(default_factory=list)  # why it was rejected


def ingest_inbox(
    sessions: sessionmaker[Session], inbox: Path, var_dir: Path, now: dt.datetime
) -> list[InboxOutcome]:
    """Process every .xlsx waiting in `inbox` (or `inbox/<unit id>/`), each in its own
    transaction; accepted files move to processed/, rejected ones to rejected/ with the reason.
    A file that cannot be recorded for any reason is rejected alone: the others still go in."""
    outcomes: list[InboxOutcome] = []
    if not inbox.is_dir():
        return outcomes
    stamp = now.strftime("%Y%m%dT%H%M%S")
    for path, expected in _waiting(inbox, now):
        try:
            with sessions.begin() as session:
                result = submit_file(
                    session,
                    path,
                    now=now,
                    store_dir=var_dir / "submissions",
                    expected_unit=expected,
                    submitter=f"inbox:{path.name}",
                )
        except SubmissionRejected as exc:
            outcomes.append(_reject(inbox, path, stamp, exc.problems, expected))
            continue
        except Exception as exc:  # one file's failure must not stop the day's intake
            log.exception("inbox file %s could not be recorded", path.name)
            problem = (
                f"文件无法入库，请联系领导小组办公室 (could not be recorded: {type(exc).__name__})"
            )
            outcomes.append(_reject(inbox, path, stamp, [problem], expected))
            continue
        kept = inbox / "processed" / f"{stamp}-{path.name}"
        _move(path, kept)
        if not result.complete and not result.duplicate:  # what the office tells the unit
            note = "已暂存，尚未填写完整，不计为已报送：\n" + "\n".join(result.missing)
            kept.with_name(kept.name + ".missing.txt").write_text(note + "\n", encoding="utf-8")
        status = "duplicate" if result.duplicate else "accepted" if result.complete else "partial"
        detail = f"{result.request_code}{'（逾期）' if result.late else ''}"
        if not result.complete:
            detail += "：暂存，尚未填写完整——" + "；".join(result.missing)
        outcomes.append(InboxOutcome(path.name, status, detail, result, expected))
    return outcomes


def _reject(
    inbox: Path, path: Path, stamp: str, problems: list[str], unit_id: str | None
) -> InboxOutcome:
    detail = "；".join(problems)
    target = inbox / "rejected" / f"{stamp}-{path.name}"
    _move(path, target)
    target.with_name(target.name + ".reason.txt").write_text(detail + "\n", encoding="utf-8")
    return InboxOutcome(path.name, "rejected", detail, None, unit_id, problems)


SETTLE = dt.timedelta(seconds=10)  # a file modified more recently may still be being written
PARTIAL = (".part", ".tmp", ".crdownload")  # names of files being copied in (rename when done)


def _waiting(inbox: Path, now: dt.datetime) -> list[tuple[Path, str | None]]:
    """Files directly in the inbox, and in one folder per unit (whose name the file must
    match), that have arrived by `now`: complete (not named *.part, not modified in the last
    few seconds) and not from after `now` (a replayed day leaves a later day's files alone)."""
    cutoff = (now - SETTLE).timestamp()

    def ready(f: Path) -> bool:
        if f.name.startswith((".", "~$")) or f.name.endswith(PARTIAL) or not f.is_file():
            return False
        return f.stat().st_mtime <= cutoff

    found: list[tuple[Path, str | None]] = []
    for entry in sorted(inbox.iterdir()):
        if entry.is_file() and ready(entry):
            found.append((entry, None))
        elif entry.is_dir() and entry.name not in ("processed", "rejected"):
            if not entry.name.startswith("."):
                found += [(f, entry.name) for f in sorted(entry.iterdir()) if ready(f)]
    return found


def _move(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(src), str(dst))
