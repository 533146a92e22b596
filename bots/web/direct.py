"""``JobbotApp``: FastAPI, plus a few routes answered before FastAPI's middleware stack.

The WeChat webhook is the busiest route and needs none of what that stack adds (OpenAPI,
dependency solving, exception pages, telemetry); its layers cost about a tenth of the CPU
of a WeChat message. A direct route still gets the same body limit (``BodyLimit``), and
an exception still ends as a bare 500 from the server, as it would behind the stack.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from bots.web.limits import BodyLimit

Handler = Callable[[Request], Awaitable[Response]]


class JobbotApp(FastAPI):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._direct: dict[tuple[str, str], ASGIApp] = {}
        self._limits: tuple[int, Mapping[str, int]] | None = None

    def limit_bodies(self, max_bytes: int, larger: Mapping[str, int]) -> None:
        """The body limit for every route, direct ones included."""
        self._limits = (max_bytes, dict(larger))
        self.add_middleware(BodyLimit, max_bytes=max_bytes, larger=larger)
        for key, handler in list(self._direct.items()):
            self._direct[key] = BodyLimit(handler, max_bytes=max_bytes, larger=larger)

    def add_direct_route(self, path: str, method: str, handler: Handler) -> None:
        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            response = await handler(Request(scope, receive))
            await response(scope, receive, send)

        app: ASGIApp = asgi
        if self._limits is not None:
            app = BodyLimit(app, max_bytes=self._limits[0], larger=self._limits[1])
        self._direct[(method.upper(), path)] = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Matched as FastAPI's router would: without the mount prefix (--root-path).
            path, root = scope["path"], scope.get("root_path", "")
            if root and path.startswith(root):
                path = path[len(root) :]
            direct = self._direct.get((scope["method"], path))
            if direct is not None:
                scope["app"] = self
                await direct(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
