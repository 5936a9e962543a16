"""Synthetic catalogs at three tiers, deterministic by seed.

city:     1 jurisdiction,     40 units,     60 tasks,     200 assignments,    10 targets
province: 100 jurisdictions,  4,000 units,  6,000 tasks,  20,000 assignments, 1,000 targets,
          and one provincial plan of 800 units (400 tasks, 2,400 assignments, 40 targets)
nation:   3,000 jurisdictions, 120,000 units, 180,000 tasks, 600,000 assignments, 30,000 targets

One plan per jurisdiction (as each city or county office runs its own programme). The
province's own plan reaches 800 units at once: there, work done per message that grows with
the plan (a template recomputing the whole plan's work) shows as it would not at 40 units.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from tasks_catalog.directory import Directory, DirectoryUnit
from tasks_catalog.schema import Plan, Target, Task, UnitRef
from vocab.words import Cmp, Role, TargetKind


@dataclass(frozen=True)
class Tier:
    jurisdictions: int
    units_per: int
    tasks_per: int
    assignments_per: int
    targets_per: int
    large: Tier | None = None  # one more jurisdiction of this size (the province's own plan)


LARGE = "jbig"  # the large plan's jurisdiction code
TIERS = {
    "city": Tier(1, 40, 60, 200, 10),
    "province": Tier(100, 40, 60, 200, 10, large=Tier(1, 800, 400, 2400, 40)),
    "nation": Tier(3000, 40, 60, 200, 10),
}


def _jurisdictions(spec: Tier, limit: int | None) -> list[tuple[str, Tier]]:
    """(code, size) of the tier's jurisdictions, the large one last (not in a baseline slice)."""
    count = spec.jurisdictions if limit is None else min(limit, spec.jurisdictions)
    codes = [(f"j{j:04d}", spec) for j in range(count)]
    if spec.large is not None and limit is None:
        codes.append((LARGE, spec.large))
    return codes


KINDS = ("increment", "cumulative", "level")


def generate(tier: str, seed: int = 7) -> tuple[Directory, list[Plan]]:
    directory = synthetic_directory(tier)
    return directory, list(iter_plans(tier, seed))


def _names(code: str, spec: Tier) -> list[str]:
    return [f"{code}单位{u:02d}" for u in range(spec.units_per)]


def synthetic_directory(tier: str, limit: int | None = None) -> Directory:
    """The units of the tier's jurisdictions (of the first `limit` of them)."""
    directory = Directory()
    for code, spec in _jurisdictions(TIERS[tier], limit):
        directory.jurisdictions[code] = {"name": f"第{code}市", "host": f"{code}-u00"}
        for u, name in enumerate(_names(code, spec)):
            uid = f"{code}-u{u:02d}"
            directory.units[uid] = DirectoryUnit(uid, name, code, "department")
    return directory


def iter_plans(tier: str, seed: int = 7, limit: int | None = None) -> Iterator[Plan]:
    """The plans one at a time (a nation's 3,000 need not be in memory together)."""
    rng = random.Random(seed)
    for code, spec in _jurisdictions(TIERS[tier], limit):
        names = _names(code, spec)
        tasks = []
        extra = spec.assignments_per - spec.tasks_per  # beyond one lead per task
        supports = [0] * spec.tasks_per
        for _ in range(extra):
            supports[rng.randrange(spec.tasks_per)] += 1
        for t in range(spec.tasks_per):
            chosen = rng.sample(names, min(1 + supports[t], len(names)))
            units = [
                UnitRef(name=n, role=Role.LEAD if i == 0 else Role.SUPPORT)
                for i, n in enumerate(chosen)
            ]
            tasks.append(
                Task(
                    ref=f"{t // 10 + 1}({t % 10 + 1})",
                    title=f"任务{t:03d}：推进标准化工作",
                    units=units,
                )
            )
        targets = []
        for k in range(spec.targets_per):
            kind = KINDS[k % 3]
            targets.append(Target(code=f"T{k + 1}", name=f"指标{k + 1}", value=Decimal(rng.randint(10, 500)), unit="项",
                                  cmp=Cmp.AT_LEAST, kind=TargetKind(kind), baseline=Decimal(rng.randint(0, 9)) if kind == "cumulative" else None,
                                  baseline_year=2020 if kind == "cumulative" else None, year=2025,
                                  owner=names[rng.randrange(len(names))]))  # fmt: skip
        yield Plan(slug=f"plan-{code}", source=f"{code}.txt", source_sha256="0" * 64, title=f"{code}标准强市建设实施意见",
                          jurisdiction=code, start_year=2023, end_year=2025, host=names[0], tasks=tasks, targets=targets)  # fmt: skip
