"""What every command-line module shares: consoles, settings and a runtime that fail cleanly.

Sub-command modules import this, never ``bots.cli`` (which imports them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer
from rich.console import Console

from core.content.areas import Area, AreaTree
from core.content.yamlfile import ContentError
from core.settings import ConfigurationError, Settings, get_settings
from core.storage.migrate import SchemaOutdated

if TYPE_CHECKING:
    from core.runtime import Runtime


def _console(stderr: bool = False) -> Console:
    """Rich's console, except that output going to a pipe or a file is not wrapped at 80
    columns (mid-word for Chinese) nor are tables squeezed: whatever reads it wraps itself."""
    console = Console(stderr=stderr)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, width=PIPED_WIDTH, soft_wrap=True)


PIPED_WIDTH = 1000
out = _console()
err = _console(stderr=True)


def settings() -> Settings:
    try:
        return get_settings()
    except ConfigurationError as exc:
        err.print(f"[red]Configuration error:[/] {exc}")
        raise typer.Exit(2) from None


def runtime(check_schema: bool = True) -> Runtime:
    from core.runtime import build_runtime

    try:
        return build_runtime(settings(), check_schema=check_schema)
    except (ContentError, SchemaOutdated, ConfigurationError) as exc:
        err.print(f"[red]Cannot start:[/] {exc}")
        raise typer.Exit(2) from None


def one_area(tree: AreaTree, given: str, level: str | None) -> Area:
    """The one area ``given`` names; otherwise lists the candidates and exits 2 (an account
    that sees the wrong community's residents must not be created on a guess)."""
    named = tree.lookup(given, level)
    if len(named) == 1:
        return named[0]
    candidates = named or tree.similar(given, level)
    if not candidates:
        kind = f" as a {level} area" if level else ""
        err.print(f"[red]Area {given!r} is not in content/areas.yaml{kind}.[/]")
        raise typer.Exit(2)
    what = "is ambiguous" if named else "names no area exactly"
    err.print(f"[red]{given!r} {what}.[/] Give the full name or the code, one of:")
    for candidate in candidates[:20]:
        err.print(f"  {candidate.code}  {tree.full_name(candidate.code)}", highlight=False)
    if len(candidates) > 20:
        err.print(f"  … and {len(candidates) - 20} more")
    raise typer.Exit(2)
