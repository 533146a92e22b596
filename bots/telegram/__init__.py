"""The Telegram channel: python-telegram-bot as transport only; every dialog lives in ``core``.

Modules: ``updates`` (Update -> Incoming), ``render`` (Outgoing -> messages with inline
keyboards), ``delivery`` (sending, Telegram errors -> the outbox's errors), ``handling`` (one
update through the engine), ``webhook`` (the FastAPI route), ``polling``, ``sender`` (outbox
pushes), ``admin`` (webhook and command registration) and ``cli``.
"""

from __future__ import annotations

import os

# Opt in to PTB's future behaviour: time periods (RetryAfter.retry_after …) as timedelta.
# Without it, PTB 22 warns on every RetryAfter it builds.
os.environ.setdefault("PTB_TIMEDELTA", "true")

CHANNEL = "telegram"
