"""Running the `jobbot` command line in tests, as a newcomer would type it."""

from __future__ import annotations

from typer.testing import CliRunner

from bots.cli import app

runner = CliRunner()


def invoke_ok(*args: str) -> str:
    """Runs ``jobbot ARGS``; fails the test with the output unless it exits 0."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output
