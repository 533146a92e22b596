"""A strict reader for WeChat's flat XML, run before anything else touches a body.

WeChat sends ``<xml><Field>value</Field>...</xml>``. This reader refuses everything
else (a DTD, entity declarations, attributes, duplicated fields, stray text, invalid
UTF-8) so that wechatpy's own parser only ever sees a body we have already vetted.
"""

from __future__ import annotations

from xml.parsers import expat

MAX_FIELDS = 64
# Fields WeChat sends with nested elements (menu scan/photo/location events).
CONTAINERS = frozenset({"ScanCodeInfo", "SendPicsInfo", "SendLocationInfo", "PicList"})


class BadXml(ValueError):
    """The body is not a WeChat message we accept; the text says why (never shown to users)."""


class _Reader:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}
        self.depth = 0
        self.root_seen = False
        self.current: str | None = None
        self.nested = False
        self.parts: list[str] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if attrs:
            raise BadXml(f"attributes on <{name}>")
        self.depth += 1
        if self.depth == 1:
            if name != "xml" or self.root_seen:
                raise BadXml("the root element must be <xml>")
            self.root_seen = True
        elif self.depth == 2:
            self._open_field(name)
        elif self.current not in CONTAINERS:
            raise BadXml(f"<{self.current}> must not contain elements")
        else:
            self.nested = True

    def _open_field(self, name: str) -> None:
        if name in self.fields:
            raise BadXml(f"duplicated field <{name}>")
        if len(self.fields) >= MAX_FIELDS:
            raise BadXml("too many fields")
        self.current, self.parts, self.nested = name, [], False

    def end(self, name: str) -> None:
        if self.depth == 2 and self.current is not None:
            self.fields[self.current] = "" if self.nested else "".join(self.parts)
            self.current = None
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.depth == 2:
            self.parts.append(data)
        elif self.depth == 1 and data.strip():
            raise BadXml("text outside a field")


def _refuse(what: str):  # type: ignore[no-untyped-def]
    def handler(*_args: object) -> None:
        raise BadXml(f"{what} is not allowed")

    return handler


_REFUSE_DTD = _refuse("a DTD")
_REFUSE_ENTITY = _refuse("an entity declaration")
_REFUSE_NOTATION = _refuse("a notation")
_REFUSE_EXTERNAL = _refuse("an external entity")
_REFUSE_PI = _refuse("a processing instruction")


def read_fields(body: bytes) -> dict[str, str]:
    """The top-level fields of a WeChat XML body, or ``BadXml``."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadXml("body is not valid UTF-8") from None
    reader = _Reader()
    parser = expat.ParserCreate(encoding="UTF-8")  # overrides any declared encoding
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _REFUSE_DTD
    parser.EntityDeclHandler = _REFUSE_ENTITY
    parser.UnparsedEntityDeclHandler = _REFUSE_ENTITY
    parser.NotationDeclHandler = _REFUSE_NOTATION
    parser.ExternalEntityRefHandler = _REFUSE_EXTERNAL
    parser.ProcessingInstructionHandler = _REFUSE_PI
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    try:
        parser.Parse(body, True)
    except expat.ExpatError as exc:
        raise BadXml(f"malformed XML ({expat.ErrorString(exc.code)})") from None
    if not reader.root_seen:
        raise BadXml("empty body")
    return reader.fields
