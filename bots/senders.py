"""Which channel senders this process has, from the settings (a channel without settings is off).

The terminal has none: a push to a terminal identity waits in the outbox until that
identity's own `jobbot chat` shows it (bots/console/chat.py), so no dispatcher claims it.
"""

from __future__ import annotations

from bots.telegram.sender import telegram_senders
from bots.wechat.sender import build_sender as wechat_sender
from core.delivery.sending import Sender
from core.runtime import Runtime


def build_senders(runtime: Runtime) -> dict[str, Sender]:
    senders: dict[str, Sender] = {}
    senders.update(telegram_senders(runtime))
    if runtime.settings.wechat is not None:
        senders["wechat"] = wechat_sender(runtime)
    return senders
