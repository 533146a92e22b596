"""A fake of WeChat's server API on a real local HTTP port, recording every call."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, Any]]


@dataclass
class Call:
    path: str
    query: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeWeChat:
    """Answers like api.weixin.qq.com; ``script[path]`` queues special answers for a path."""

    calls: list[Call] = field(default_factory=list)
    script: dict[str, list[Answer | Callable[[Call], Answer]]] = field(default_factory=dict)
    delay: float = 0.0
    issued: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, call: Call) -> Answer:
        with self.lock:
            self.calls.append(call)
            queued = self.script.get(call.path)
            if queued:
                first = queued.pop(0)
                return first(call) if callable(first) else first
            if call.path == "/cgi-bin/token":
                self.issued += 1
                token = f"TOKEN-{self.issued}"
                self.valid_tokens.add(token)
                return 200, {"access_token": token, "expires_in": 7200}
        if call.query.get("access_token") not in self.valid_tokens:
            return 200, {"errcode": 40001, "errmsg": "invalid credential"}
        if call.path == "/cgi-bin/message/template/send":
            return 200, {"errcode": 0, "errmsg": "ok", "msgid": 200228332}
        return 200, {"errcode": 0, "errmsg": "ok"}

    def paths(self) -> list[str]:
        return [c.path for c in self.calls]

    def sent_texts(self) -> list[tuple[str, str]]:
        return [
            (c.body["touser"], c.body["text"]["content"])
            for c in self.calls
            if c.path == "/cgi-bin/message/custom/send" and c.body
        ]

    def revoke(self) -> None:
        """WeChat forgets every token issued so far (as after a secret reset)."""
        with self.lock:
            self.valid_tokens.clear()


def _handler(fake: FakeWeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            query = {k: v[-1] for k, v in parse_qs(url.query).items()}
            if fake.delay:
                time.sleep(fake.delay)
            status, payload = fake.answer(Call(url.path, query, body))
            data = json.dumps(payload, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _serve

        def log_message(self, *_args: object) -> None:
            pass

    return Handler


class FakeServer:
    def __init__(self, fake: FakeWeChat) -> None:
        self.fake = fake
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
