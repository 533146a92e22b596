"""`jobbot telegram …`: webhook set-up, the command menu, and long polling."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from bots.cli_support import err, out
from core.settings import TelegramSettings

if TYPE_CHECKING:
    from telegram import WebhookInfo

    from core.content.catalog import Catalog

telegram_app = typer.Typer(no_args_is_help=True, help="Telegram: webhook, command menu, polling.")
T = TypeVar("T")
DropPending = Annotated[
    bool, typer.Option("--drop-pending-updates", help="Discard updates Telegram is still holding")
]


def _settings() -> TelegramSettings:
    from bots.cli_support import settings

    telegram = settings().telegram
    if telegram is None:
        err.print("[red]Telegram is off:[/] set JOBBOT_TELEGRAM_TOKEN (from @BotFather).")
        raise typer.Exit(2)
    return telegram


def _catalog() -> Catalog:
    from bots.cli_support import settings
    from core.content.loader import load_content
    from core.content.yamlfile import ContentError

    try:
        return load_content(settings().content_dir).catalog
    except ContentError as exc:
        err.print(f"[red]Invalid content:[/] {exc}")
        raise typer.Exit(2) from None


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Runs a Bot API call; Telegram's refusal is a clear message, never a traceback."""
    from telegram.error import InvalidToken, TelegramError

    try:
        return asyncio.run(work)
    except InvalidToken:  # its message repeats the token: never print it
        err.print("[red]Telegram rejected JOBBOT_TELEGRAM_TOKEN.[/]")
        raise typer.Exit(2) from None
    except TelegramError as exc:
        err.print(f"[red]Telegram refused:[/] {exc.message}")
        raise typer.Exit(1) from None


@telegram_app.command("set-webhook")
def set_webhook_command(
    url: Annotated[str, typer.Argument(help="Public HTTPS URL ending in /telegram/webhook")],
    drop_pending: DropPending = False,
    max_connections: Annotated[int, typer.Option(help="Parallel deliveries (1-100)")] = 40,
) -> None:
    """Point Telegram at URL with the webhook secret, and register the command menu (once)."""
    from bots.telegram.admin import check_secret, set_webhook
    from bots.telegram.bot import build_bot

    cfg = _settings()
    try:
        secret = check_secret(cfg.webhook_secret)
    except ValueError as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    catalog = _catalog()

    async def work() -> None:
        async with build_bot(cfg) as bot:
            await set_webhook(
                bot,
                catalog,
                url,
                secret,
                drop_pending=drop_pending,
                max_connections=max_connections,
            )

    _run(work())
    out.print(f"Webhook set to {url}; command menu registered in zh and en.")


@telegram_app.command("delete-webhook")
def delete_webhook_command(drop_pending: DropPending = False) -> None:
    """Stop webhook deliveries (needed before `poll`)."""
    from bots.telegram.admin import delete_webhook
    from bots.telegram.bot import build_bot

    cfg = _settings()

    async def work() -> None:
        async with build_bot(cfg) as bot:
            await delete_webhook(bot, drop_pending=drop_pending)

    _run(work())
    out.print("Webhook deleted.")


@telegram_app.command("set-commands")
def set_commands_command() -> None:
    """Register /start /menu /cancel /help /lang /subscribe /unsubscribe in zh and en."""
    from bots.telegram.admin import register_commands
    from bots.telegram.bot import build_bot

    cfg, catalog = _settings(), _catalog()

    async def work() -> None:
        async with build_bot(cfg) as bot:
            await register_commands(bot, catalog)

    _run(work())
    out.print("Command menu registered in zh and en.")


@telegram_app.command("webhook-info")
def webhook_info_command() -> None:
    """Show where Telegram delivers, how many updates wait, and the last delivery error."""
    from bots.telegram.admin import webhook_info
    from bots.telegram.bot import build_bot

    cfg = _settings()

    async def work() -> WebhookInfo:
        async with build_bot(cfg) as bot:
            return await webhook_info(bot)

    info = _run(work())
    out.print(f"url: {info.url or '(none: polling)'}")
    out.print(f"pending updates: {info.pending_update_count}")
    out.print(f"last error: {info.last_error_message or '-'}")


@telegram_app.command()
def poll(
    worker: Annotated[bool, typer.Option(help="Run dispatcher and scheduler here too")] = True,
    timeout: Annotated[int, typer.Option(help="Long-poll seconds per request")] = 30,
) -> None:
    """Receive updates by long polling, for a machine with no public URL."""
    from bots.cli_support import runtime, settings
    from bots.telegram.polling import PollConflict, run_polling
    from core.logging_setup import configure_logging

    configure_logging(settings().log_level, settings().secret_values())
    cfg, rt = _settings(), runtime()
    try:
        _run(run_polling(rt, cfg, worker=worker, timeout=timeout))
    except PollConflict:
        err.print(
            "[red]Telegram refuses polling:[/] a webhook is set (run `jobbot telegram "
            "delete-webhook`), or another `poll` uses this token."
        )
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        out.print("Stopped.")
