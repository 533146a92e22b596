"""Reading opening rows from CSV, XLSX or JSON and checking each one.

Pure: turns a file into ``OpeningInput`` values or ``RowError``s with the row number and
the reason. Storing them is ``core.openings.store``'s job.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from core.content.areas import AreaTree
from core.timeutil import SHANGHAI

COLUMNS = (
    "id",
    "title",
    "employer",
    "area",
    "salary_min",
    "salary_max",
    "headcount",
    "description",
    "contact",
    "posted_at",
    "expires_at",
    "tags",
)
REQUIRED = ("id", "title", "employer", "area")
MAX_LEN = {
    "id": 64,
    "title": 200,
    "employer": 200,
    "area": 100,
    "contact": 200,
    "description": 4000,
}
_TAG_SPLIT = re.compile(r"[|,，;；、]")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


@dataclass(frozen=True)
class OpeningInput:
    ref: str
    title: str
    employer: str
    area_name: str
    area_code: str
    salary_min: int | None
    salary_max: int | None
    headcount: int | None
    description: str
    contact: str
    posted_at: datetime | None
    expires_at: datetime | None
    tags: tuple[str, ...]

    def fingerprint(self) -> str:
        fields = [str(getattr(self, name)) for name in self.__dataclass_fields__]
        return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0 in CSV/XLSX terms)
    reason: str


def read_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_rows(path.read_bytes())
    if suffix == ".xlsx":
        return _xlsx_rows(path)
    if suffix == ".json":
        return _json_rows(path.read_bytes())
    raise UnreadableFile(f"unsupported file type {suffix!r}: use .csv, .xlsx or .json")


def read_bytes(data: bytes, kind: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    if kind == "csv":
        return _csv_rows(data)
    if kind == "json":
        return _json_rows(data)
    raise UnreadableFile(f"unsupported type {kind!r}: use csv or json")


def _csv_rows(data: bytes) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("the CSV file is not UTF-8") from None
    reader = csv.DictReader(io.StringIO(text))
    _check_header(reader.fieldnames or [])
    return ((i, row) for i, row in enumerate(reader, start=1))


def _xlsx_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__})") from None
    rows = sheet.iter_rows(values_only=True)
    header = [str(c or "").strip() for c in next(rows, ())]
    _check_header(header)
    return (
        (i, dict(zip(header, values, strict=False)))
        for i, values in enumerate(rows, 1)
        if any(v not in (None, "") for v in values)
    )


def _json_rows(data: bytes) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFile(f"not valid UTF-8 JSON ({exc})") from None
    items = parsed.get("openings") if isinstance(parsed, dict) else parsed
    if not isinstance(items, list):
        raise UnreadableFile('expected a JSON list of openings (or {"openings": [...]})')
    return ((i, item if isinstance(item, dict) else {}) for i, item in enumerate(items, 1))


def _check_header(header: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UnreadableFile(f"missing required column(s): {', '.join(missing)}")


def check_row(raw: Mapping[str, Any], areas: AreaTree) -> OpeningInput | str:
    """The row as an opening, or the reason it is invalid."""
    text = {k: _text(raw.get(k)) for k in COLUMNS}
    for column in REQUIRED:
        if not text[column]:
            return f"{column} is empty"
    for column, limit in MAX_LEN.items():
        if len(text[column]) > limit:
            return f"{column} is longer than {limit} characters"
    numbers: dict[str, int | None] = {}
    for column in ("salary_min", "salary_max", "headcount"):
        number = _integer(text[column])
        if isinstance(number, str):
            return f"{column}: {number}"
        numbers[column] = number
    low, high = numbers["salary_min"], numbers["salary_max"]
    if low is not None and high is not None and low > high:
        return "salary_min is greater than salary_max"
    dates: dict[str, datetime | None] = {}
    for column in ("posted_at", "expires_at"):
        moment = _moment(raw.get(column), text[column], end_of_day=column == "expires_at")
        if isinstance(moment, str):
            return f"{column}: {moment}"
        dates[column] = moment
    if dates["posted_at"] and dates["expires_at"] and dates["expires_at"] < dates["posted_at"]:
        return "expires_at is before posted_at"
    area_code = resolve_area(text["area"], areas)
    if area_code is None:
        return f"area {text['area']!r} is not in the area list (content/areas.yaml)"
    tags = tuple(t.strip() for t in _TAG_SPLIT.split(text["tags"]) if t.strip())
    return OpeningInput(
        text["id"],
        text["title"],
        text["employer"],
        text["area"],
        area_code,
        low,
        high,
        numbers["headcount"],
        text["description"],
        text["contact"],
        dates["posted_at"],
        dates["expires_at"],
        tags,
    )


def resolve_area(name: str, areas: AreaTree) -> str | None:
    """The most specific area named ("历下区 解放路街道" → the street), or None."""
    codes, _ = areas.find_in_text(name)
    if not codes:
        return None
    return max(codes, key=lambda c: len(list(areas.ancestors(c))))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _integer(text: str) -> int | str | None:
    if not text:
        return None
    try:
        value = int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else int(text)
    except ValueError:
        return f"{text!r} is not a whole number"
    return value if value >= 0 else "must not be negative"


def _moment(raw: Any, text: str, *, end_of_day: bool) -> datetime | str | None:
    """A date alone means the start of that day in Shandong, or its end for an expiry."""
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=SHANGHAI)
    if isinstance(raw, date):
        return _day(raw, end_of_day)
    if not text:
        return None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return _day(date.fromisoformat(text), end_of_day)
        except ValueError:
            return f"{text!r} is not a real date"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a date (YYYY-MM-DD)"
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def _day(day: date, end_of_day: bool) -> datetime:
    start = datetime.combine(day, time(), SHANGHAI)
    return start + timedelta(days=1) if end_of_day else start
