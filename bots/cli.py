"""The `jobbot` command line."""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import sys
from contextlib import suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from bots.cli_support import err, one_area, out, runtime, settings
from bots.ledger_cli import ledger_app
from bots.openings_cli import openings_app
from bots.telegram.cli import telegram_app
from bots.wechat.cli import wechat_app
from core.content.yamlfile import ContentError
from core.settings import ConfigurationError
from core.storage.db import Database
from core.storage.migrate import schema_status, upgrade

app = typer.Typer(no_args_is_help=True, add_completion=False, help="jobbot: employment service bot")
db_app = typer.Typer(no_args_is_help=True, help="Database schema.")
staff_app = typer.Typer(no_args_is_help=True, help="Staff accounts and chat links.")
demo_app = typer.Typer(no_args_is_help=True, help="Demo data for the embedded default.")
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
app.add_typer(demo_app, name="demo")
app.add_typer(openings_app, name="openings")
app.add_typer(wechat_app, name="wechat")
app.add_typer(telegram_app, name="telegram")
app.add_typer(ledger_app, name="ledger")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on")] = None,
    worker: Annotated[bool, typer.Option(help="Run dispatcher and scheduler here too")] = True,
    cpu: Annotated[
        int | None, typer.Option(help="Pin this process to one CPU core (Linux), see README")
    ] = None,
) -> None:
    """Start the web app (webhooks, health, API) with the dispatcher and scheduler."""
    import uvicorn

    from bots.web.app import create_app
    from bots.web.server import server_config
    from core.logging_setup import configure_logging

    cfg = settings()
    configure_logging(cfg.log_level, cfg.secret_values())
    if cpu is not None:
        _pin(cpu)
    application = create_app(cfg, runtime=runtime(), with_worker=worker)
    config = server_config(
        application, host or cfg.host, port or cfg.port, log_config=None, proxy_headers=True
    )
    uvicorn.Server(config).run()


def _pin(cpu: int) -> None:
    """One core per server process: Python runs one thread at a time (the GIL), and handing
    it between cores on every database or socket call costs more than a second core gives."""
    try:
        os.sched_setaffinity(0, {cpu})
    except (AttributeError, OSError, ValueError) as exc:
        err.print(f"[red]Cannot pin to CPU {cpu}:[/] {exc}")
        raise typer.Exit(2) from None


@app.command("worker")
def worker_command() -> None:
    """Run only the dispatcher and the scheduler tick (scale-out worker)."""
    from bots.senders import build_senders
    from core.delivery.worker import run_worker
    from core.logging_setup import configure_logging

    configure_logging(settings().log_level, settings().secret_values())
    rt = runtime()
    with suppress(KeyboardInterrupt):
        asyncio.run(run_worker(rt, build_senders(rt)))


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Who you are in this terminal")] = "demo",
    lang: Annotated[str | None, typer.Option(help="zh or en on first contact")] = None,
    script: Annotated[Path | None, typer.Option(help="Replay a file, one message per line")] = None,
) -> None:
    """Talk to the bot in the terminal, or replay a scripted conversation."""
    from bots.console.chat import ConsoleSession, interactive, run_script, script_lines

    hint = {"zh": "zh-CN", "en": "en"}.get(lang or "", lang)
    session = ConsoleSession(runtime(), user, hint, out)
    if script is None:
        interactive(session)
        return
    if not script.is_file():
        err.print(f"[red]No such script:[/] {script}")
        raise typer.Exit(2)
    for line in run_script(session, script_lines(script)):
        typer.echo(line)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create the database or bring its schema up to date."""
    cfg = settings()
    database = Database(cfg.database_url)
    upgrade(database)
    out.print(f"Schema is current: {', '.join(schema_status(database).current)}")


@db_app.command("status")
def db_status() -> None:
    """Show the schema revision of the database and of the code."""
    status = schema_status(Database(settings().database_url))
    out.print(f"database: {', '.join(status.current) or 'empty'}; code: {', '.join(status.head)}")
    if not status.up_to_date:
        raise typer.Exit(1)


@demo_app.command("load")
def demo_load() -> None:
    """Add the demo staff and demo openings; does nothing the second time."""
    from core.demo import load_demo, load_demo_openings
    from core.timeutil import utcnow

    cfg = settings()
    if cfg.env == "production":
        err.print("[red]Refusing to load demo data with JOBBOT_ENV=production.[/]")
        raise typer.Exit(2)
    rt = runtime()
    with rt.db.transaction() as session:
        created = load_demo(session, rt.vault)
    openings = load_demo_openings(rt.db, rt.content, utcnow())
    created += [openings] if openings else []
    out.print("Demo data: " + (", ".join(created) if created else "already loaded"))


@staff_app.command("add")
def staff_add(
    username: Annotated[str, typer.Option(help="Login handle, e.g. lixia-wang")],
    name: Annotated[str, typer.Option(help="Full name (stored encrypted)")],
    role: Annotated[str, typer.Option(help="community, street or admin")],
    area: Annotated[
        str,
        typer.Option(
            help="The area served: its name as the bot shows it (历山路社区), optionally after "
            "its street or district (历下区解放路街道历山路社区), or its 12-digit code"
        ),
    ],
) -> None:
    """Create a staff account for one area."""
    from core.people.staff import Role, StaffError, add_staff

    rt = runtime()
    try:
        chosen = Role(role)
    except ValueError:
        err.print(f"[red]Unknown role {role!r}:[/] use community, street or admin.")
        raise typer.Exit(2) from None
    expected = {"community": "community", "street": "street"}.get(chosen.value)
    found = one_area(rt.content.areas, area, expected)
    try:
        with rt.db.transaction() as session:
            add_staff(
                session,
                vault=rt.vault,
                username=username,
                name=name,
                role=chosen,
                area_code=found.code,
            )
    except StaffError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    out.print(
        f"Added {username} ({chosen.value}, {rt.content.areas.full_name(found.code)} {found.code})."
    )


@staff_app.command("link-code")
def staff_link_code(username: str) -> None:
    """Issue a one-time code the staff member sends in chat as 绑定 CODE."""
    from core.people.staff import find_by_username, issue_link_code
    from core.timeutil import utcnow

    rt = runtime()
    minutes = rt.settings.staff_link_code_minutes
    with rt.db.transaction() as session:
        staff = find_by_username(session, username)
        if staff is None or not staff.active:
            err.print(f"[red]No active staff member {username!r}.[/]")
            raise typer.Exit(2)
        code = issue_link_code(session, staff=staff, now=utcnow(), minutes=minutes)
    out.print(f"Code for {username}: [bold]{code}[/] (valid {minutes} minutes, works once).")
    out.print(f"In WeChat or Telegram, send:  绑定 {code}")


@staff_app.command("token")
def staff_token(
    username: str,
    days: Annotated[
        int | None, typer.Option(min=1, max=366, help="Valid this many days (default: setting)")
    ] = None,
) -> None:
    """Issue an API token for the staff REST API (shown once; replaces any earlier one)."""
    from core.people.staff import find_by_username
    from core.people.staff_tokens import issue_token

    rt = runtime()
    valid = days or rt.settings.staff_token_days
    with rt.db.transaction() as session:
        staff = find_by_username(session, username)
        if staff is None or not staff.active:
            err.print(f"[red]No active staff member {username!r}.[/]")
            raise typer.Exit(2)
        token = issue_token(session, staff, days=valid, actor=_cli_actor())
        expires = staff.api_token_expires_at
    out.print(f"API token for {username} (shown once): [bold]{token}[/]")
    out.print(f"Valid until {expires:%Y-%m-%d %H:%M} UTC ({valid} days).")
    out.print("Send it as:  Authorization: Bearer <token>")


def _cli_actor() -> str:
    import getpass

    return f"cli:{getpass.getuser()}"[:64]


def _staff_member(session: Any, username: str) -> Any:
    from core.people.staff import find_by_username

    staff = find_by_username(session, username)
    if staff is None:
        err.print(f"[red]No staff member {username!r}.[/]")
        raise typer.Exit(2)
    return staff


@staff_app.command("deactivate")
def staff_deactivate(username: str) -> None:
    """End an account now: API token revoked, chats unlinked, no new link codes."""
    from core.people.staff import deactivate
    from core.timeutil import utcnow

    rt = runtime()
    with rt.db.transaction() as session:
        staff = _staff_member(session, username)
        if not staff.active:
            out.print(f"{username} was already deactivated.")
            return
        deactivate(session, staff, actor=_cli_actor(), now=utcnow())
    out.print(f"Deactivated {username}: no API access, no staff entries in chat.")


@staff_app.command("revoke-token")
def staff_revoke_token(username: str) -> None:
    """Revoke the member's API token at once (issue a new one with `staff token`)."""
    from core.people.staff_tokens import revoke_token

    rt = runtime()
    with rt.db.transaction() as session:
        had = revoke_token(session, _staff_member(session, username), actor=_cli_actor())
    out.print(f"Revoked the API token of {username}." if had else f"{username} had no token.")


@staff_app.command("unlink")
def staff_unlink(
    username: str,
    channel: Annotated[
        str | None, typer.Option(help="Only this channel (wechat, telegram)")
    ] = None,
    chat_id: Annotated[str | None, typer.Option(help="Only this chat identity")] = None,
) -> None:
    """Unlink the member's chat identities (all, or one): they chat as residents again."""
    from core.people.staff import unlink

    rt = runtime()
    with rt.db.transaction() as session:
        staff = _staff_member(session, username)
        count = unlink(session, staff, actor=_cli_actor(), channel=channel, external_id=chat_id)
    out.print(f"Unlinked {count} chat identit{'y' if count == 1 else 'ies'} of {username}.")


@staff_app.command("list")
def staff_list() -> None:
    """List staff accounts (names masked)."""
    from sqlmodel import select

    from core.people.personal import mask_name
    from core.storage.models import Conversation, Staff

    rt = runtime()
    # Folded rather than cut with "…" on a narrow terminal: every handle and area stays whole.
    table = Table()
    for header in ("username", "name", "role", "area", "area code", "linked chats", "active"):
        table.add_column(header, overflow="fold")
    with rt.db.transaction() as session:
        for staff in session.exec(select(Staff).order_by(Staff.username)):
            links = session.exec(select(Conversation).where(Conversation.staff_id == staff.id))
            area = rt.content.areas.get(staff.area_code)
            table.add_row(
                staff.username,
                mask_name(rt.vault.decrypt(staff.name_enc)),
                staff.role,
                area.name if area else "?",
                staff.area_code,
                str(len(list(links))),
                "yes" if staff.active else "no",
            )
    out.print(table)


@staff_app.command("appraisal")
def staff_appraisal(
    year: Annotated[int, typer.Option(help="Calendar year, e.g. 2026", min=2000, max=2100)],
    area: Annotated[str | None, typer.Option(help="Only staff inside this area code")] = None,
) -> None:
    """Per staff member: complaints about them found verified in the year (不称职 flag at
    the threshold in content/complaints.yaml) and ratings of complaints they handled."""
    from core.complaints.appraisal import appraise
    from core.complaints.rules import rules_for as complaint_rules

    rt = runtime()
    if area is not None and rt.content.areas.get(area) is None:
        err.print(f"[red]Area {area!r} is not in content/areas.yaml.[/]")
        raise typer.Exit(2)
    rules = complaint_rules(rt.content)
    with rt.db.transaction() as session:
        lines = appraise(session, rt.vault, rt.content.areas, rules, year, area)
    # One line per member (a table would be cut to the terminal's width).
    out.print(
        f"Appraisal input {year}: 不称职 flagged at {rules.unfit_at} or more", highlight=False
    )
    for line in lines:
        found = rt.content.areas.get(line.area_code)
        findings = " ".join(f"{f}={n}" for f, n in line.findings.items())
        ratings = " ".join(f"{r}={n}" for r, n in line.ratings.items())
        out.print(
            f"{line.username}\t{line.name}\t{line.role}\t{found.name if found else line.area_code}"
            f"\t{findings}\t不称职={'YES' if line.unfit else 'no'}\thandled: {ratings}",
            soft_wrap=True,
            highlight=False,
        )


@app.command("secret")
def secret_generate() -> None:
    """Print a fresh random value for JOBBOT_SECRET_KEY."""
    out.print(secrets.token_urlsafe(48))


@app.command("content-check")
def content_check() -> None:
    """Validate the content directory (and every enabled feature's part of it)."""
    from core.content.loader import load_content
    from core.installed import installed

    try:
        content = load_content(settings().content_dir)
        installed().check(content)
    except ContentError as exc:
        err.print(f"[red]Invalid content:[/] {exc}")
        raise typer.Exit(2) from None
    out.print(
        f"OK: {len(content.catalog.ids())} texts, {len(content.areas.areas)} areas, "
        f"{len(content.notices)} notices, {len(content.services)} services"
    )


def main() -> None:
    logging.captureWarnings(True)
    try:
        app()
    except ConfigurationError as exc:
        err.print(f"[red]Configuration error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
