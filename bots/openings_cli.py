"""`jobbot openings …`: import openings from CSV, XLSX or JSON."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from bots.cli_support import err, out

openings_app = typer.Typer(no_args_is_help=True, help="Openings (招聘信息): import.")


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # a container's uid with no passwd entry
        return f"uid {os.getuid()}"


@openings_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON with columns id,title,…")],
    skip_invalid: Annotated[bool, typer.Option(help="Import the valid rows anyway")] = False,
) -> None:
    """Import openings; re-importing the same file changes nothing."""
    from bots.cli_support import runtime
    from core.openings.importing import BATCH_ROWS, Importer, import_openings
    from core.openings.rows import UnreadableFile, read_rows
    from core.timeutil import utcnow

    if not file.is_file():
        err.print(f"[red]No such file:[/] {file}")
        raise typer.Exit(2)
    rt = runtime()
    # Audited as the operating-system account that ran the command (the CLI has no staff).
    by = Importer(f"cli:{_os_user()}"[:64], "cli")
    try:
        rows = read_rows(file)
        with Progress(console=err, transient=True) as progress:
            task = progress.add_task("importing", total=rows.size or None)

            def advance(done: int) -> None:
                progress.update(task, completed=rows.position, description=f"{done:,} rows")
                if not err.is_terminal and done % 50_000 < BATCH_ROWS:  # logs, not a bar
                    err.print(f"{done:,} rows read", highlight=False)

            report = import_openings(
                rt.db,
                rt.content,
                rows,
                now=utcnow(),
                skip_invalid=skip_invalid,
                by=by,
                progress=advance,
            )
    except UnreadableFile as exc:
        err.print(f"[red]Cannot read {file}:[/] {exc}")
        raise typer.Exit(2) from None
    for error in report.errors:
        err.print(f"row {error.row}: {error.reason}", markup=False, highlight=False)
    if report.invalid > len(report.errors):
        err.print(f"… and {report.invalid - len(report.errors)} more invalid row(s)")
    if not report.applied:
        err.print(
            f"[red]{report.invalid} invalid row(s); nothing imported.[/] "
            "Fix them, or use --skip-invalid to import the rest."
        )
        raise typer.Exit(1)
    out.print(
        f"{report.created} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.invalid} skipped as invalid."
    )
