"""`jobbot openings …`: import openings from CSV, XLSX or JSON."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress

from bots.cli_support import err, out

openings_app = typer.Typer(no_args_is_help=True, help="Openings (招聘信息): import.")


def _with_progress(
    rows: Iterator[tuple[int, Mapping[str, Any]]], total: int, progress: Progress
) -> Iterator[tuple[int, Mapping[str, Any]]]:
    task = progress.add_task("checking rows", total=total or None)
    for item in rows:
        progress.advance(task)
        yield item


def _count_rows(path: Path) -> int:
    if path.suffix.lower() == ".csv":
        with path.open("rb") as handle:
            return max(0, sum(1 for _ in handle) - 1)
    return 0


@openings_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON with columns id,title,…")],
    skip_invalid: Annotated[bool, typer.Option(help="Import the valid rows anyway")] = False,
) -> None:
    """Import openings; re-importing the same file changes nothing."""
    from bots.cli_support import runtime
    from core.openings.importing import import_openings
    from core.openings.rows import UnreadableFile, read_rows
    from core.timeutil import utcnow

    if not file.is_file():
        err.print(f"[red]No such file:[/] {file}")
        raise typer.Exit(2)
    rt = runtime()
    try:
        with Progress(console=err, transient=True) as progress:
            rows = _with_progress(read_rows(file), _count_rows(file), progress)
            report = import_openings(
                rt.db, rt.content, rows, now=utcnow(), skip_invalid=skip_invalid
            )
    except UnreadableFile as exc:
        err.print(f"[red]Cannot read {file}:[/] {exc}")
        raise typer.Exit(2) from None
    for error in report.errors:
        err.print(f"row {error.row}: {error.reason}")
    if not report.applied:
        err.print(
            f"[red]{len(report.errors)} invalid row(s); nothing imported.[/] "
            "Fix them, or use --skip-invalid to import the rest."
        )
        raise typer.Exit(1)
    out.print(
        f"{len(report.created)} added, {len(report.updated)} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} skipped as invalid."
    )
