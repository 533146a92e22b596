"""`jobbot wechat menu show|push`: the custom menu from content/wechat.yaml."""

from __future__ import annotations

import json

import typer

from bots.cli_support import err, out
from core.content.yamlfile import ContentError
from core.settings import ConfigurationError, Settings, get_settings

wechat_app = typer.Typer(no_args_is_help=True, help="WeChat official account.")
menu_app = typer.Typer(no_args_is_help=True, help="The custom menu from content/wechat.yaml.")
wechat_app.add_typer(menu_app, name="menu")


def _menu_json(cfg: Settings) -> dict[str, object]:
    from bots.wechat.config import load_wechat_content

    try:
        return load_wechat_content(cfg.content_dir).menu_json()
    except ContentError as exc:
        err.print(f"[red]Invalid content:[/] {exc}")
        raise typer.Exit(2) from None


@menu_app.command("show")
def menu_show() -> None:
    """Print the menu exactly as `push` would send it to WeChat."""
    typer.echo(json.dumps(_menu_json(get_settings()), ensure_ascii=False, indent=2))


@menu_app.command("push")
def menu_push() -> None:
    """Replace the official account's custom menu with the one in content/wechat.yaml."""
    from wechatpy.exceptions import WeChatClientException

    from bots.wechat.api import build_api
    from bots.wechat.token import TokenUnavailable
    from core.storage.db import Database

    cfg = get_settings()
    menu = _menu_json(cfg)
    wechat = cfg.wechat
    if wechat is None:
        err.print("[red]WeChat is off:[/] set JOBBOT_WECHAT_TOKEN, _APP_ID and _APP_SECRET.")
        raise typer.Exit(2)
    database = Database(cfg.database_url)
    try:
        build_api(wechat, database).call(lambda client: client.menu.create(menu))
    except (WeChatClientException, TokenUnavailable, ConfigurationError) as exc:
        err.print(f"[red]WeChat refused the menu:[/] {exc}")
        raise typer.Exit(1) from None
    finally:
        database.dispose()
    out.print(f"Menu pushed: {_entries(menu)} entries.")


def _entries(menu: dict[str, object]) -> int:
    buttons = menu["button"]
    assert isinstance(buttons, list)
    return sum(len(b["sub_button"]) if "sub_button" in b else 1 for b in buttons)
