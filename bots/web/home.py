"""``/``: what this server is, with links, and ``/docs``: the API reference, served offline.

Swagger UI's files come from the fastapi-offline package, not a CDN: the halls' networks
often cannot reach one, and the page must work on the machine that serves it.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from core.content.catalog import Catalog

ASSETS = "/docs/assets"
_STATIC = Path(fastapi_offline.__file__).parent / "static"
_LINKS = (("/docs", "web.docs"), ("/api/openings", "web.openings"), ("/healthz", "web.health"))


def install(app: FastAPI, catalog: Catalog) -> None:
    app.mount(ASSETS, StaticFiles(directory=_STATIC), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return get_swagger_ui_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} API",
            swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
        )

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> HTMLResponse:
        lang = _language(request.headers.get("accept-language", ""))
        root = request.scope.get("root_path", "")
        say = lambda text_id: escape(catalog.fill(text_id, lang))  # noqa: E731
        links = "".join(
            f'<li><a href="{root}{path}">{say(text_id)}</a> <code>{path}</code></li>'
            for path, text_id in _LINKS
        )
        page = (
            f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{say('web.title')}</title>"
            "<style>body{font-family:sans-serif;max-width:40em;margin:3em auto;padding:0 1em;"
            "line-height:1.6}code{color:#555}</style></head>"
            f"<body><h1>{say('web.title')}</h1><p>{say('web.intro')}</p><ul>{links}</ul>"
            "</body></html>"
        )
        return HTMLResponse(page)


def _language(accept: str) -> str:
    """English when the browser prefers it over Chinese; Chinese otherwise."""
    for part in accept.split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return "zh-CN"
