"""A stand-in Telegram Bot API on loopback HTTP: answers like Telegram and records every call.

PTB reaches it through ``JOBBOT_TELEGRAM_API_BASE`` (``http://127.0.0.1:PORT/bot``), exactly
as it reaches api.telegram.org. Tests queue failures (429, 403, 502 …) and updates for
getUpdates; the benchmark reads the receive time of each sendMessage.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

BOT_USER = {"id": 4242, "is_bot": True, "first_name": "jobbot", "username": "jobbot_test_bot"}


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, str]
    at: float  # time.perf_counter() when the request arrived

    def json(self, name: str) -> Any:
        return json.loads(self.params[name])

    @property
    def chat_id(self) -> int:
        return int(self.params["chat_id"])

    @property
    def keyboard(self) -> list[list[dict[str, Any]]]:
        if "reply_markup" not in self.params:
            return []
        return list(self.json("reply_markup")["inline_keyboard"])


@dataclass(frozen=True)
class Failure:
    status: int
    description: str
    parameters: dict[str, Any] | None = None


@dataclass
class FakeBotApi:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, deque[Failure]] = field(default_factory=lambda: defaultdict(deque))
    updates: list[dict[str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def fail(
        self, method: str, status: int, description: str, *, times: int = 1, **parameters: Any
    ) -> None:
        """The next ``times`` calls of ``method`` fail as Telegram would fail them."""
        for _ in range(times):
            self.failures[method].append(Failure(status, description, parameters or None))

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.failures.clear()
            self.updates.clear()

    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def sent_texts(self) -> list[str]:
        return [c.params["text"] for c in self.of("sendMessage")]

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/bot{token}/{method}", self._endpoint, methods=["POST"])])

    async def _endpoint(self, request: Request) -> JSONResponse:
        method = request.path_params["method"]
        params = _params(await request.body(), request.headers.get("content-type", ""))
        with self._lock:
            self.calls.append(Call(method, params, time.perf_counter()))
            failure = self.failures[method].popleft() if self.failures[method] else None
        if failure is not None:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": failure.status,
                "description": failure.description,
            }
            if failure.parameters:
                body["parameters"] = failure.parameters
            return JSONResponse(body, status_code=failure.status)
        return JSONResponse({"ok": True, "result": self._result(method, params)})

    def _result(self, method: str, params: dict[str, str]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            chat = {"id": int(params["chat_id"]), "type": "private", "first_name": "R"}
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": chat,
                "from": BOT_USER,
                "text": params.get("text", ""),
            }
        if method == "getUpdates":
            offset = int(params.get("offset", 0))
            return [u for u in self.updates if u["update_id"] >= offset]
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True


def _params(body: bytes, content_type: str) -> dict[str, str]:
    """PTB posts form-encoded fields (objects as JSON strings); JSON bodies are read too."""
    if content_type.startswith("application/json"):
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in json.loads(body).items()}
    return {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}


class FakeServer:
    """Runs a ``FakeBotApi`` under uvicorn in a background thread on a free loopback port."""

    def __init__(self, api: FakeBotApi, app: Starlette | None = None) -> None:
        self.api = api
        config = uvicorn.Config(
            app or api.app(),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            access_log=False,
            lifespan="off",
            ws="none",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def start(self) -> str:
        """Starts serving; returns the API base (``…/bot``, token and method appended)."""
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake Bot API did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
