"""What the office does to a plan of its workspace, from the CLI or the portal alike: load it
(as it stands in its file), publish it. Each writes the plan's YAML first, then the database,
and records who did it and when in the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from db.models import AuditLog
from tasks_catalog.check import check_catalog
from tasks_catalog.drafts import directory_of, find_plan_file, published, write_plan
from tasks_catalog.files import CatalogFileError, Problem, read_plan
from tasks_catalog.loader import load_catalog
from tasks_catalog.schema import Plan
from vocab.words import PlanStatus

SOURCES_DIR = "sources"  # copies of the imported documents, for the review page's source text


class PlanNotFound(LookupError):
    pass


@dataclass
class Outcome:
    """What happened to one plan: loaded or not, and the problems `catalog check` found in it."""

    plan: Plan | None
    problems: list[Problem] = field(default_factory=list)
    loaded: bool = False


def plan_problems(data_dir: Path, slug: str) -> tuple[Path, Plan | None, list[Problem]]:
    """The plan's file, the plan (None when its file does not validate) and its problems."""
    path = find_plan_file(data_dir, slug)
    if path is None:
        raise PlanNotFound(f"目录 {data_dir} 中没有计划 {slug}")
    plans, problems = check_catalog(data_dir)
    own = [p for p in problems if Path(p.file) == path]
    return path, next((p for p in plans if p.slug == slug), None), own


def read_or_problems(path: Path) -> tuple[Plan | None, list[Problem]]:
    try:
        return read_plan(path)[0], []
    except CatalogFileError as exc:
        return None, exc.problems


def audit(
    session: Session, actor: str, action: str, target: str, detail: str, now: dt.datetime
) -> None:
    session.add(AuditLog(at=now, actor=actor, action=action, target=target, detail=detail[:4000]))


def load_plan(
    sessions: sessionmaker[Session],
    data_dir: Path,
    slug: str,
    now: dt.datetime,
    who: tuple[str, str, str],
) -> Outcome:
    """Sync plan `slug` into the database when its file has no problem; `who` is (actor,
    action, detail) for the audit log, which records the change to the file either way."""
    _, plan, problems = plan_problems(data_dir, slug)
    with sessions.begin() as session:  # the change to the file is audited, loaded or not
        if plan is not None:
            load_catalog(session, [plan], directory_of(data_dir), now)
        audit(session, who[0], who[1], f"plan:{slug}", who[2], now)
    return Outcome(plan, problems, loaded=plan is not None)


def publish_plan(
    sessions: sessionmaker[Session], data_dir: Path, slug: str, actor: str, now: dt.datetime
) -> Outcome:
    """Publish plan `slug`: refused (nothing written, the problems returned) while `catalog
    check` finds anything wrong with it. Publishing a published plan changes nothing."""
    path, plan, problems = plan_problems(data_dir, slug)
    if plan is None or problems:
        return Outcome(plan, problems)
    if plan.status == PlanStatus.PUBLISHED:
        return Outcome(plan, [], loaded=False)
    write_plan(path, published(plan, actor, now))
    return load_plan(
        sessions, data_dir, slug, now, (actor, "publish", f"{path.name} 由 {actor} 发布")
    )


def source_text(data_dir: Path, plan: Plan) -> str | None:
    """The imported document's text (offsets are the spans'), or None when no copy is kept."""
    from tasks_catalog.reading import DocumentError, read_document

    path = data_dir / SOURCES_DIR / plan.source
    if not path.is_file():
        return None
    try:
        return read_document(path)[0]
    except DocumentError:
        return None
