"""Which channel senders this process has, from the settings (a channel without settings is off)."""

from __future__ import annotations

from rich.console import Console

from bots.console.sender import TerminalSender
from bots.telegram.sender import telegram_senders
from bots.wechat.sender import build_sender as wechat_sender
from core.delivery.sending import Sender
from core.runtime import Runtime


def build_senders(runtime: Runtime) -> dict[str, Sender]:
    senders: dict[str, Sender] = {
        "console": TerminalSender(
            runtime.content.catalog,
            Console(stderr=True),
            global_rate=runtime.settings.console_rate_per_second,
            recipient_rate=runtime.settings.console_rate_per_second,
        ),
    }
    senders.update(telegram_senders(runtime))
    if runtime.settings.wechat is not None:
        senders["wechat"] = wechat_sender(runtime)
    return senders
