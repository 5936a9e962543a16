"""The codebase's layering (`../shared/design.md`, "Layout"), read from the source: who may
import whom, who may import Prefect and Apprise, where the clock may be read, and how big a
module may grow before it is split.

The layers, bottom up: `vocab` (the shared words, StrEnums and payload types; imports nothing
of ours) → `db` → `tasks_catalog` (the catalog; only its loader and export touch `db`) →
`reporting` (the domain: plain Python taking `as_of`) and `notifications` (what to say and the
transports) → `flows` (orchestration) → `duban` (CLI, portal, serve).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("vocab", "db", "tasks_catalog", "reporting", "notifications", "flows", "duban")
MAY_IMPORT = {
    "vocab": set(),
    "db": {"vocab"},
    "tasks_catalog": {"db", "vocab"},
    "reporting": {"db", "tasks_catalog", "vocab"},
    "notifications": {"db", "vocab"},
    "flows": {"db", "tasks_catalog", "reporting", "notifications", "vocab"},
    "duban": set(PACKAGES) - {"duban"},
}
# Domain and data layers take `as_of`/`now` from their callers.
NO_CLOCK = ("vocab", "db", "tasks_catalog", "reporting")
CLOCK_CALLS = {("datetime", "now"), ("date", "today"), ("datetime", "utcnow"), ("time", "time")}

# Within tasks_catalog, the database is the loaders' business: the catalog's (and its export,
# which reads it back) and the 通讯录's (contacts and the sheet they come in).
CATALOG_DB_MODULES = {"loader.py", "export.py", "contacts.py", "contacts_sheet.py"}
# Prefect only in flows/ and the command that starts its server; Apprise only in the delivery
# modules of notifications/.
ONLY_IN = {
    "prefect": {"flows/prefect_flows.py", "duban/serve.py"},
    "apprise": {
        "notifications/delivery.py",
        "notifications/dingtalk.py",
        "notifications/transports.py",
        "notifications/contact_channels.py",  # builds the Apprise URLs of the 通讯录
    },
}
MAX_MODULE_LINES = 400


def modules(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def imported_packages(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(PACKAGES)


@pytest.mark.parametrize("package", PACKAGES)
def test_a_package_imports_only_the_layers_below_it(package: str) -> None:
    wrong = {
        str(path.relative_to(ROOT)): sorted(bad)
        for path in modules(package)
        if (
            bad := imported_packages(ast.parse(path.read_text("utf-8")))
            - {package}
            - MAY_IMPORT[package]
        )
    }
    assert wrong == {}


def test_the_catalog_touches_the_database_only_in_its_loader() -> None:
    users = {
        p.name
        for p in modules("tasks_catalog")
        if "db" in imported_packages(ast.parse(p.read_text("utf-8")))
    }
    assert users <= CATALOG_DB_MODULES


@pytest.mark.parametrize("library", sorted(ONLY_IN))
def test_prefect_and_apprise_stay_in_their_modules(library: str) -> None:
    users = set()
    for package in PACKAGES:
        for path in modules(package):
            tree = ast.parse(path.read_text("utf-8"))
            names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            names |= {
                n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
            }
            if any(name.split(".")[0] == library for name in names):
                users.add(str(path.relative_to(ROOT)))
    assert users <= ONLY_IN[library]


@pytest.mark.parametrize("package", NO_CLOCK)
def test_domain_code_never_reads_the_clock(package: str) -> None:
    reads = []
    for path in modules(package):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name | ast.Attribute)
            ):
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else owner.attr
                if (name, node.func.attr) in CLOCK_CALLS:
                    reads.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert reads == []


def test_modules_stay_small() -> None:
    big = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in modules(package)
        if (n := len(path.read_text("utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert big == {}, f"split these (over {MAX_MODULE_LINES} lines): {big}"
