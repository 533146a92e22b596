"""`jobbot ledger …`: ledgers (台账) staff file and check; personal data masked by default."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bots.cli_support import err, out

ledger_app = typer.Typer(no_args_is_help=True, help="Ledgers (台账) as XLSX or CSV.")


def _refuse(message: str) -> None:
    err.print(message)
    raise typer.Exit(2)


def _check(out_file: Path, lang: str) -> None:
    if out_file.suffix.lower() not in (".xlsx", ".csv"):
        _refuse(f"[red]Unsupported file type {out_file.suffix!r}:[/] use .xlsx or .csv.")
    if not out_file.parent.is_dir():
        _refuse(f"[red]No such directory:[/] {out_file.parent}")
    if lang not in ("zh-CN", "en"):
        _refuse(f"[red]Unknown language {lang!r}:[/] use zh-CN or en.")


@ledger_app.command("registrations")
def registrations(
    area: Annotated[
        str,
        typer.Option(help="Area name as the bot shows it, or its 12-digit code; all inside it"),
    ],
    out_file: Annotated[Path, typer.Option("--out", help="FILE.xlsx or FILE.csv")],
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="Full names, ID and phone numbers (audited)")
    ] = False,
    lang: Annotated[str, typer.Option(help="zh-CN or en for headers and labels")] = "zh-CN",
) -> None:
    """Write the registration ledger of an area."""
    from bots.cli_support import one_area, runtime
    from core.registration.ledger import build, write
    from core.registration.workflow import Env
    from core.timeutil import utcnow

    _check(out_file, lang)
    rt = runtime()
    area = one_area(rt.content.areas, area, None).code
    actor = f"cli:{getpass.getuser()}"[:64]
    with rt.db.transaction() as session:
        env = Env(session, rt.content, rt.vault, utcnow())
        ledger = build(env, area, unmasked=unmasked, lang=lang, actor=actor)
        write(ledger, out_file)
    shown = "UNMASKED (recorded in the audit log)" if unmasked else "masked"
    out.print(f"Wrote {len(ledger.rows)} registrations ({shown}) to {out_file}.")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        _refuse(f"[red]{option} {value!r} is not a date:[/] use YYYY-MM-DD.")
        raise  # unreachable: _refuse exits


def _period(out_file: Path, lang: str, start: str, end: str) -> tuple[date, date]:
    """The checks of a ledger written as .xlsx for a period: file, language, two dates in
    order."""
    if out_file.suffix.lower() != ".xlsx":
        _refuse(f"[red]Unsupported file type {out_file.suffix!r}:[/] use .xlsx.")
    _check(out_file, lang)
    first, last = _day(start, "--from"), _day(end, "--to")
    if last < first:
        _refuse("[red]--to is before --from.[/]")
    return first, last


@ledger_app.command("bookings")
def bookings(
    area: Annotated[
        str,
        typer.Option(
            help="Area name as the bot shows it, or its 12-digit code; every office inside it"
        ),
    ],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD")],
    out_file: Annotated[Path, typer.Option("--out", help="FILE.xlsx")],
    lang: Annotated[str, typer.Option(help="zh-CN or en for headers and labels")] = "zh-CN",
) -> None:
    """Write the booking ledger (names masked) with served / no-show / cancelled per service."""
    from bots.cli_support import one_area, runtime
    from core.booking.ledger import build, write

    first, last = _period(out_file, lang, start, end)
    rt = runtime()
    area = one_area(rt.content.areas, area, None).code
    actor = f"cli:{getpass.getuser()}"[:64]
    with rt.db.transaction() as session:
        ledger = build(
            session, rt.content, rt.vault, area=area, start=first, end=last, lang=lang, actor=actor
        )
        write(ledger, out_file)
    out.print(f"Wrote {len(ledger.rows)} bookings (names masked) to {out_file}.")


@ledger_app.command("complaints")
def complaints(
    area: Annotated[
        str,
        typer.Option(help="Area name as the bot shows it, or its 12-digit code; all inside it"),
    ],
    start: Annotated[str, typer.Option("--from", help="First day received, YYYY-MM-DD")],
    end: Annotated[str, typer.Option("--to", help="Last day received, YYYY-MM-DD")],
    out_file: Annotated[Path, typer.Option("--out", help="FILE.xlsx")],
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="Full phone numbers and names (audited; file 0600)")
    ] = False,
    lang: Annotated[str, typer.Option(help="zh-CN or en for headers and labels")] = "zh-CN",
) -> None:
    """Write the complaints ledger of an area and period, with a summary sheet."""
    from bots.cli_support import one_area, runtime
    from core.complaints.ledger import Period, build, write
    from core.registration.workflow import Env
    from core.timeutil import utcnow

    period = Period(*_period(out_file, lang, start, end))
    rt = runtime()
    area = one_area(rt.content.areas, area, None).code
    actor = f"cli:{getpass.getuser()}"[:64]
    with rt.db.transaction() as session:
        env = Env(session, rt.content, rt.vault, utcnow())
        ledger = build(env, area, period, unmasked=unmasked, lang=lang, actor=actor)
        write(ledger, out_file)
    shown = "UNMASKED (recorded in the audit log; file mode 0600)" if unmasked else "masked"
    out.print(f"Wrote {len(ledger.rows)} tickets ({shown}) to {out_file}.")
