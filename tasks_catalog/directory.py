"""The unit directory: canonical names, aliases, kinds and the members of collective phrases."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from tasks_catalog.paths import DATA_DIR

KINDS = ("department", "government", "party", "office", "agency", "collective")
UNORDERED = 99_999  # a unit without `order` in units.yaml: after every ordered one


@dataclass(frozen=True)
class DirectoryUnit:
    id: str
    name: str
    jurisdiction: str
    kind: str
    aliases: tuple[str, ...] = ()
    members: tuple[str, ...] = ()  # unit ids; for a collective phrase
    members_kind: str | None = (
        None  # a collective of every unit of this kind (市级部门按职责分工负责)
    )
    duties: tuple[str, ...] = ()  # keywords for proposing assignments
    order: int = UNORDERED  # the official listing order (units.yaml's header says how)


class UnknownUnit(LookupError):
    def __init__(self, name: str, jurisdiction: str, suggestions: list[str]):
        self.name, self.jurisdiction, self.suggestions = name, jurisdiction, suggestions
        hint = f"; did you mean {'、'.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown unit {name!r} in {jurisdiction}{hint}")


class AmbiguousUnit(LookupError):
    def __init__(self, name: str, jurisdiction: str, candidates: list[str]):
        self.name, self.jurisdiction, self.candidates = name, jurisdiction, candidates
        super().__init__(
            f"unit name {name!r} in {jurisdiction} could be any of {'、'.join(candidates)}"
        )


@dataclass
class Directory:
    jurisdictions: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> {name, host}
    units: dict[str, DirectoryUnit] = field(default_factory=dict)
    # units by jurisdiction, rebuilt when units were added (a nation has 3,000 jurisdictions)
    _index: dict[str, list[DirectoryUnit]] = field(default_factory=dict, repr=False, compare=False)
    _indexed: int = field(default=-1, repr=False, compare=False)

    @classmethod
    def load(cls, path: Path | None = None) -> Directory:
        path = path or DATA_DIR / "units.yaml"
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        directory = cls()
        for jur in raw["jurisdictions"]:
            code = jur["code"]
            directory.jurisdictions[code] = {"name": jur["name"], "host": jur.get("host", "")}
            for u in jur["units"]:
                if u["id"] in directory.units:
                    raise ValueError(f"{path}: unit id {u['id']} appears twice")
                if u.get("kind") not in KINDS:
                    raise ValueError(
                        f"{path}: unit {u['id']}: kind must be one of {', '.join(KINDS)}"
                    )
                directory.units[u["id"]] = DirectoryUnit(
                    id=u["id"],
                    name=u["name"],
                    jurisdiction=code,
                    kind=u["kind"],
                    aliases=tuple(u.get("aliases", ())),
                    members=tuple(u.get("members", ())),
                    members_kind=u.get("members_kind"),
                    duties=tuple(u.get("duties", ())),
                    order=_order(path, u),
                )
        return directory

    def listed(self, units: list[DirectoryUnit]) -> list[DirectoryUnit]:
        """`units` in the official order (by `order`, then name; never by id)."""
        return sorted(units, key=lambda u: (u.order, u.name, u.id))

    def in_jurisdiction(self, code: str) -> list[DirectoryUnit]:
        if self._indexed != len(self.units):
            index: dict[str, list[DirectoryUnit]] = {}
            for unit in self.units.values():
                index.setdefault(unit.jurisdiction, []).append(unit)
            self._index, self._indexed = index, len(self.units)
        return list(self._index.get(code, ()))

    def resolve(self, name: str, jurisdiction: str) -> DirectoryUnit:
        """Return the unit `name` denotes in `jurisdiction`, by canonical name or alias."""
        units = self.in_jurisdiction(jurisdiction)
        exact = [u for u in units if u.name == name]
        if exact:
            return exact[0]
        by_alias = [u for u in units if name in u.aliases]
        if len(by_alias) == 1:
            return by_alias[0]
        if len(by_alias) > 1:
            raise AmbiguousUnit(name, jurisdiction, [u.name for u in by_alias])
        names = [u.name for u in units] + [a for u in units for a in u.aliases]
        raise UnknownUnit(
            name, jurisdiction, difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        )

    def expand(self, unit: DirectoryUnit) -> list[DirectoryUnit]:
        """Return the members of a collective phrase (itself for an ordinary unit)."""
        if unit.kind != "collective":
            return [unit]
        if unit.members_kind:
            return [
                u for u in self.in_jurisdiction(unit.jurisdiction) if u.kind == unit.members_kind
            ]
        return [self.units[m] for m in unit.members]


def _order(path: Path, unit: dict[str, object]) -> int:
    order = unit.get("order", UNORDERED)
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise ValueError(
            f"{path}: unit {unit['id']}: order must be a whole number ≥ 0, not {order!r}"
        )
    return order
