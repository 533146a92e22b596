"""Message catalogs (zh-CN first, en second) and rendering of ``Text`` into strings."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from core.content.yamlfile import ContentError, YamlDoc, load_yaml
from core.dialog.messages import Outgoing, Text

DEFAULT_LANG = "zh-CN"
LANGS = ("zh-CN", "en")


def _flatten(data: Any, prefix: str, out: dict[str, str], doc: YamlDoc) -> None:
    if not isinstance(data, dict):
        raise doc.error(prefix, "expected a mapping of text ids")
    for key, value in data.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(value, path, out, doc)
        elif isinstance(value, str) and value.strip():
            out[path] = value.rstrip("\n")
        else:
            raise doc.error(path, "text must be a non-empty string")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _check_template(doc: YamlDoc, key: str, template: str) -> set[str]:
    try:
        return _fields(template)
    except ValueError as exc:
        raise doc.error(key, f"bad placeholder ({exc}); write {{{{ and }}}} for braces") from None


# Named tuples rather than frozen dataclasses: every reply builds one of these per option,
# and a frozen dataclass's __init__ costs twice as much.
class RenderedOption(NamedTuple):
    id: str
    number: int
    label: str


class Rendered(NamedTuple):
    text: str
    options: tuple[RenderedOption, ...]
    links: tuple[tuple[str, str], ...]


LABELS_KEPT = 4096  # remembered option labels with parameters (cleared when full)
RECENT_KEPT = 256  # the options of the last few messages, by identity


class Catalog:
    """Looks texts up by id and language; every id exists in every language."""

    def __init__(self, texts: Mapping[str, Mapping[str, str]]) -> None:
        self._texts = texts
        # Texts without parameters, rendered once: menus render the same labels per message.
        self._plain: dict[tuple[str, str], str] = {}
        self._labels: dict[tuple[str, tuple[Any, ...]], str] = {}
        self._recent: dict[int, tuple[Text, str, str]] = {}

    @classmethod
    def load(cls, directory: Path) -> Catalog:
        """Reads ``<lang>.yaml`` and any ``<lang>.<feature>.yaml`` beside it, per language."""
        texts: dict[str, dict[str, str]] = {}
        owners: dict[str, dict[str, YamlDoc]] = {}
        for lang in LANGS:
            texts[lang], owners[lang] = {}, {}
            files = [directory / f"{lang}.yaml", *sorted(directory.glob(f"{lang}.*.yaml"))]
            for path in files:
                doc = load_yaml(path)
                found: dict[str, str] = {}
                _flatten(doc.data, "", found, doc)
                for key in found:
                    if key in texts[lang]:
                        raise doc.error(key, f"already defined in {owners[lang][key].path.name}")
                    owners[lang][key] = doc
                texts[lang].update(found)
        base = texts[DEFAULT_LANG]
        for lang in LANGS[1:]:
            _compare(base, owners[DEFAULT_LANG], texts[lang], owners[lang])
        for key, template in base.items():
            _check_template(owners[DEFAULT_LANG][key], key, template)
        if not base:
            raise ContentError(directory / f"{DEFAULT_LANG}.yaml", "", "no texts")
        return cls(texts)

    def has(self, text_id: str) -> bool:
        return text_id in self._texts[DEFAULT_LANG]

    def ids(self) -> frozenset[str]:
        return frozenset(self._texts[DEFAULT_LANG])

    def variants(self, text_id: str) -> list[str]:
        """The text in every language (for recognising typed commands)."""
        return [self._texts[lang][text_id] for lang in LANGS]

    def text(self, item: Text, lang: str) -> str:
        if not item.params:
            found = self._plain.get((lang, item.id))
            if found is None:
                found = self._plain[lang, item.id] = self._format(item, lang)
            return found
        return self._format(item, lang)

    def label(self, item: Text, lang: str) -> str:
        """An option's label. Labels with parameters (a job line: title, employer, area,
        pay) are remembered too: every resident shown the same list renders the same lines,
        and the engine renders them once more to match typed labels. A conversation stores
        its last option labels anyway, so keeping them here exposes nothing new."""
        if not item.params:
            return self.text(item, lang)
        # The very same option is labelled twice per message (the engine folds it for typed
        # picks, then the channel shows it): the second time costs a lookup by identity.
        recent = self._recent.get(id(item))
        if recent is not None and recent[0] is item and recent[1] == lang:
            return recent[2]
        key = _label_key(item)
        if key is None:
            return self._format(item, lang)
        found = self._labels.get((lang, key))
        if found is None:
            found = self._format(item, lang)
            if len(self._labels) >= LABELS_KEPT:
                self._labels.clear()
            self._labels[lang, key] = found
        if len(self._recent) >= RECENT_KEPT:
            self._recent.clear()
        self._recent[id(item)] = (item, lang, found)  # holding ``item`` keeps its id unique
        return found

    def fill(self, text_id: str, lang: str, **params: str | int) -> str:
        """``text(t(text_id, **params))`` for plain parameters, without building a ``Text``
        (renderers call it for every option line of every reply)."""
        table = self._texts.get(lang, self._texts[DEFAULT_LANG])
        template = table.get(text_id)
        if template is None:
            raise KeyError(f"unknown text id {text_id!r}")
        return template.format_map(params)

    def _format(self, item: Text, lang: str) -> str:
        table = self._texts.get(lang, self._texts[DEFAULT_LANG])
        template = table.get(item.id)
        if template is None:
            raise KeyError(f"unknown text id {item.id!r}")
        params = {k: self._param(v, lang) for k, v in item.params.items()}
        return template.format_map(params)

    def _param(self, value: Any, lang: str) -> Any:
        if isinstance(value, Text):
            return self.text(value, lang)
        if isinstance(value, tuple | list):
            return "\n".join(str(self._param(v, lang)) for v in value)
        return value

    def render(self, message: Outgoing, lang: str) -> Rendered:
        options = tuple(
            RenderedOption(o.id, i, self.label(o.label, lang))
            for i, o in enumerate(message.options, start=1)
        )
        links = tuple((k.url, self.text(k.label, lang)) for k in message.links)
        return Rendered(self.text(message.text, lang), options, links)


def _compare(
    base: dict[str, str],
    base_docs: dict[str, YamlDoc],
    other: dict[str, str],
    docs: dict[str, YamlDoc],
) -> None:
    for key in other.keys() - base.keys():
        raise docs[key].error(key, "has no zh-CN text")
    for key, template in base.items():
        if key not in other:
            raise base_docs[key].error(key, "has no English text")
        want = _check_template(base_docs[key], key, template)
        got = _check_template(docs[key], key, other[key])
        if want != got:
            raise docs[key].error(key, f"placeholders {sorted(got)} differ from {sorted(want)}")


def _label_key(item: Text) -> tuple[Any, ...] | None:
    """``item`` as a dict key: its id and parameters, nested texts included; None when a
    parameter is anything but text, a whole number or a text id (``True`` is not ``1``)."""
    parts: list[Any] = [item.id]
    for name, value in item.params.items():
        if isinstance(value, Text):
            nested = _label_key(value)
            if nested is None:
                return None
            parts.append((name, nested))
        elif type(value) in (str, int):
            parts.append((name, value))
        else:
            return None
    return tuple(parts)
