"""content/wechat.yaml: the custom menu and the template message of each notice kind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.content.yamlfile import ContentError, YamlDoc, load_yaml
from core.dialog.commands import Command
from core.dialog.menu import MENU_PREFIX
from core.dialog.menu import assemble as assemble_menu
from core.installed import FEATURES

MAX_BUTTONS, MAX_SUB_BUTTONS = 3, 5
BUTTON_NAME_BYTES, SUB_NAME_BYTES = 16, 60
KEY_BYTES, URL_BYTES = 128, 1024
CLICK_COMMANDS = frozenset(c.value for c in Command) - {"subscribe", "unsubscribe"}
# Every menu item of the enabled features (and the planned ones, which answer honestly).
CLICK_ITEMS = frozenset(
    MENU_PREFIX + item.id for item in assemble_menu(i for f in FEATURES for i in f.menu)
)


@dataclass(frozen=True)
class Button:
    name: str
    key: str | None = None
    url: str | None = None
    sub: tuple[Button, ...] = ()

    def to_wechat(self) -> dict[str, Any]:
        if self.sub:
            return {"name": self.name, "sub_button": [b.to_wechat() for b in self.sub]}
        if self.url:
            return {"type": "view", "name": self.name, "url": self.url}
        return {"type": "click", "name": self.name, "key": self.key}


@dataclass(frozen=True)
class Template:
    id: str
    field: str
    max_chars: int


@dataclass(frozen=True)
class WeChatContent:
    menu: tuple[Button, ...]
    templates: dict[str, Template]

    def menu_json(self) -> dict[str, Any]:
        """The body of WeChat's menu/create call."""
        return {"button": [b.to_wechat() for b in self.menu]}

    def click_keys(self) -> frozenset[str]:
        keys = {b.key for b in self.menu if b.key}
        keys |= {s.key for b in self.menu for s in b.sub if s.key}
        return frozenset(keys)


def load_wechat_content(directory: Path) -> WeChatContent:
    """Reads ``wechat.yaml``; raises ``ContentError`` naming the line of the first problem."""
    doc = load_yaml(directory / "wechat.yaml")
    data = doc.data if isinstance(doc.data, dict) else None
    if data is None:
        raise ContentError(doc.path, "", "expected `menu` and `templates`")
    return WeChatContent(_menu(doc, data.get("menu")), _templates(doc, data.get("templates")))


def _menu(doc: YamlDoc, raw: object) -> tuple[Button, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_BUTTONS:
        raise doc.error("menu", f"expected a list of 1 to {MAX_BUTTONS} buttons")
    return tuple(_button(doc, f"menu[{i}]", b, top=True) for i, b in enumerate(raw))


def _button(doc: YamlDoc, where: str, raw: object, *, top: bool) -> Button:
    if not isinstance(raw, dict):
        raise doc.error(where, "a button is a mapping with `name` and `key`, `url` or `sub`")
    name = raw.get("name")
    limit = BUTTON_NAME_BYTES if top else SUB_NAME_BYTES
    if not isinstance(name, str) or not name.strip() or len(name.encode()) > limit:
        raise doc.error(f"{where}.name", f"name must be 1..{limit} bytes of UTF-8")
    chosen = [k for k in ("key", "url", "sub") if k in raw]
    if len(chosen) != 1 or (chosen == ["sub"] and not top):
        raise doc.error(where, "give exactly one of `key`, `url` or (top level only) `sub`")
    if "sub" in raw:
        return Button(name, sub=_subs(doc, where, raw["sub"]))
    if "url" in raw:
        return Button(name, url=_url(doc, f"{where}.url", raw["url"]))
    return Button(name, key=_key(doc, f"{where}.key", raw["key"]))


def _subs(doc: YamlDoc, where: str, raw: object) -> tuple[Button, ...]:
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_SUB_BUTTONS:
        raise doc.error(f"{where}.sub", f"expected a list of 1 to {MAX_SUB_BUTTONS} sub-buttons")
    return tuple(_button(doc, f"{where}.sub[{i}]", b, top=False) for i, b in enumerate(raw))


def _key(doc: YamlDoc, where: str, raw: object) -> str:
    if not isinstance(raw, str) or raw not in CLICK_ITEMS | CLICK_COMMANDS:
        known = ", ".join(sorted(CLICK_ITEMS | CLICK_COMMANDS))
        raise doc.error(where, f"unknown key {raw!r}; use one of: {known}")
    return raw


def _url(doc: YamlDoc, where: str, raw: object) -> str:
    if (
        not isinstance(raw, str)
        or not raw.startswith(("https://", "http://"))
        or len(raw.encode()) > URL_BYTES
    ):
        raise doc.error(where, f"url must be http(s) and at most {URL_BYTES} bytes")
    return raw


def _templates(doc: YamlDoc, raw: object) -> dict[str, Template]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise doc.error("templates", "expected a mapping of notice kind to template")
    return {str(kind): _template(doc, f"templates.{kind}", spec) for kind, spec in raw.items()}


def _template(doc: YamlDoc, where: str, raw: object) -> Template:
    if not isinstance(raw, dict):
        raise doc.error(where, "expected `id`, `field` and `max_chars`")
    tid, field, limit = raw.get("id"), raw.get("field", "thing1"), raw.get("max_chars", 20)
    if not isinstance(tid, str) or not tid.strip():
        raise doc.error(f"{where}.id", "template id must be a non-empty string")
    if not isinstance(field, str) or not field.isidentifier():
        raise doc.error(f"{where}.field", "field must be a template data name such as thing1")
    if not isinstance(limit, int) or not 1 <= limit <= 200:
        raise doc.error(f"{where}.max_chars", "max_chars must be a whole number from 1 to 200")
    return Template(tid.strip(), field, limit)
