"""An office's own catalog folder: import a document as a draft plan, find a plan's file by
slug, write a plan back, add the units a document names, publish.

A draft (草稿) is shown to the office and never sent to units; `publish` turns it into a
published plan (已发布) once `catalog check` finds nothing wrong with it."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import cast

import yaml

from tasks_catalog.check import DIRECTORY_FILE, plan_files
from tasks_catalog.directory import Directory
from tasks_catalog.files import Problem, plan_to_yaml
from tasks_catalog.proposals import directory_draft, unknown_units
from tasks_catalog.schema import Plan
from vocab.words import PlanStatus

HEADER = "# 督办计划文件：由 duban catalog import 生成，可直接修改，或用任务分工表修改后 duban catalog apply。\n"


def file_status(path: Path) -> PlanStatus | None:
    """The status a plan file declares (published when it says none); None when unreadable."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        return PlanStatus(raw.get("status", PlanStatus.PUBLISHED))
    except (OSError, ValueError, AttributeError, yaml.YAMLError):
        return None


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that stop a load: a draft's problems wait for its review and stop nobody."""
    return [p for p in problems if file_status(Path(p.file)) != PlanStatus.DRAFT]


def find_plan_file(data_dir: Path, slug: str) -> Path | None:
    for path in plan_files(data_dir):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(raw, dict) and raw.get("slug") == slug:
            return path
    return None


def write_text_atomically(path: Path, text: str) -> None:
    write_bytes_atomically(path, text.encode("utf-8"))


def write_bytes_atomically(path: Path, data: bytes) -> None:
    """Replace `path` whole: a reader sees the old file or the new one, never half of it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def write_plan(path: Path, plan: Plan) -> None:
    write_text_atomically(path, plan_to_yaml(plan, HEADER))


def as_draft(plan: Plan, jurisdiction: str | None, slug: str | None) -> Plan:
    """The extractor's plan as a draft of the workspace's jurisdiction."""
    update: dict[str, object] = {"status": PlanStatus.DRAFT}
    if jurisdiction:
        update["jurisdiction"] = jurisdiction
    if slug:
        update["slug"] = slug
    return plan.model_copy(update=update)


def add_named_units(plan: Plan, directory_file: Path) -> list[str]:
    """Add to the directory file every unit `plan` names that it lacks (ids <code>-uN, for the
    office to review); return their names. Comments at the top of the file are kept."""
    directory = Directory.load(directory_file)
    names = [name for name, _ in unknown_units(plan, directory)]
    if not names:
        return []
    text = directory_file.read_text(encoding="utf-8")
    header = "".join(line for line in text.splitlines(keepends=True) if line.startswith("#"))
    raw = yaml.safe_load(text)
    entry = next(j for j in raw["jurisdictions"] if j["code"] == plan.jurisdiction)
    taken = set(directory.units)
    number = 1
    drafted = cast(list[dict[str, str]], directory_draft(plan, names)["units"])
    for unit in drafted:
        while f"{plan.jurisdiction}-u{number}" in taken:
            number += 1
        unit["id"] = f"{plan.jurisdiction}-u{number}"
        taken.add(unit["id"])
        entry.setdefault("units", []).append(unit)
    body = yaml.safe_dump(raw, allow_unicode=True, sort_keys=False, width=100)
    write_text_atomically(directory_file, header + body)
    return names


def published(plan: Plan, by: str, now: dt.datetime) -> Plan:
    return plan.model_copy(
        update={"status": PlanStatus.PUBLISHED, "published_at": now, "published_by": by}
    )


def directory_of(data_dir: Path) -> Directory:
    return Directory.load(data_dir / DIRECTORY_FILE)
