"""The `duban` command line (Typer + Rich). Its --help is the reference; README lists it.

One module per area, each registering its commands on `app` here, in the order `--help` lists
them: `workspace` (init), `catalog`, `score`, `catalog_edit` and `units` (the catalog),
`cycle` (tick, dispatch, submit, report), `office` (outbox, requests, channels, office users),
`demo`, `run` (serve, portal), `contacts`, `reports` (assess-year, status), `tasks`. What they
share is in `common`."""

from __future__ import annotations

import typer

from duban.cli import catalog_edit, cycle, demo, office, reports, run, score, tasks, workspace
from duban.cli.catalog import catalog_app
from duban.cli.common import Format, err, out

# The names command modules written against the single duban/cli.py imported from it, kept
# while other branches still use them; new code imports duban.cli.common.
from duban.cli.common import dump_json as _dump_json
from duban.cli.common import fail as _fail
from duban.cli.common import now as _now
from duban.cli.common import parse_day as _parse_day
from duban.cli.common import run_at as _at
from duban.cli.common import runtime as _runtime
from duban.cli.contacts import contacts_app
from duban.cli.units import units_app

__all__ = [
    "Format",
    "_at",
    "_dump_json",
    "_fail",
    "_now",
    "_parse_day",
    "_runtime",
    "app",
    "err",
    "main",
    "out",
]

app = typer.Typer(
    help="督办 Duban: policy tasks, quarterly reporting and reminders.", no_args_is_help=True
)
app.add_typer(catalog_app, name="catalog")
app.add_typer(units_app, name="units")
app.callback()(workspace.check_workspace)
app.command("init")(workspace.init)
catalog_app.command("score")(score.catalog_score)
catalog_app.command("import")(catalog_edit.catalog_import)
catalog_app.command("export")(catalog_edit.catalog_export)
catalog_app.command("apply")(catalog_edit.catalog_apply)
catalog_app.command("publish")(catalog_edit.catalog_publish)
cycle.register(app)
app.add_typer(office.outbox_app, name="outbox")
app.command("demo")(demo.demo)
app.command("serve")(run.serve)
app.add_typer(office.requests_app, name="requests")
app.add_typer(office.channels_app, name="channels")
app.command("portal")(run.portal)
app.add_typer(office.office_app, name="office")
app.add_typer(contacts_app, name="contacts")
reports.register(app)
tasks.register(app)


def main() -> None:  # pragma: no cover
    app()
