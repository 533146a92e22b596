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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, BinaryIO

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
    "tags": 1000,
}
# Whole numbers must fit the database's INTEGER columns on every engine.
MAX_INTEGER = 2**31 - 1
# Dates outside these years are typing errors, and near year 1 or 9999 the time-zone
# arithmetic overflows.
YEARS = (1970, 2200)
MAX_LINE = 1_048_576  # characters of one CSV line; the csv module caps one field at 131,072
MAX_JSON_BYTES = 64 * 2**20
MAX_JSON_DEPTH = 20
_TAG_SPLIT = re.compile(r"[|,，;；、]")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (format, encoding, header)."""


class BadRecord(ValueError):
    """One record of the file cannot be read; the rows after it still can."""


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


# A row is its number and either the raw record or why the record could not be read.
Row = tuple[int, Mapping[str, Any] | BadRecord]


class Rows:
    """The rows of one file, read lazily; ``position`` of ``size`` bytes (CSV only, else 0)
    drives a progress bar."""

    def __init__(
        self, rows: Iterator[Row], size: int = 0, position: Callable[[], int] | None = None
    ) -> None:
        self._rows, self.size, self._position = rows, size, position

    def __iter__(self) -> Iterator[Row]:
        return self._rows

    def __next__(self) -> Row:
        return next(self._rows)

    @property
    def position(self) -> int:
        if self._position is None:
            return 0
        try:
            return self._position()
        except ValueError:  # read to the end, so closed
            return self.size


def read_rows(path: Path) -> Rows:
    """Streams CSV and XLSX whatever their size; JSON is parsed whole, so it has a cap."""
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if suffix == ".csv":
        handle = path.open("rb")
        return Rows(_csv_rows(handle), size, handle.tell)
    if suffix == ".xlsx":
        return Rows(_xlsx_rows(path))
    if suffix == ".json":
        if size > MAX_JSON_BYTES:
            raise UnreadableFile(
                f"JSON files over {MAX_JSON_BYTES // 2**20} MiB are not read (a JSON file is "
                "parsed whole); export the openings as CSV, which is read row by row"
            )
        return Rows(_json_rows(path.read_bytes()))
    raise UnreadableFile(f"unsupported file type {suffix!r}: use .csv, .xlsx or .json")


def read_bytes(data: bytes, kind: str) -> Rows:
    if kind == "csv":
        handle = io.BytesIO(data)
        return Rows(_csv_rows(handle), len(data), handle.tell)
    if kind == "json":
        return Rows(_json_rows(data))
    raise UnreadableFile(f"unsupported type {kind!r}: use csv or json")


class _Lines:
    """Text lines for ``csv.reader``, none longer than ``limit``: a longer line is dropped
    unread (its record becomes a ``BadRecord``), so one newline-less gigabyte cannot fill
    memory. The csv module's own field limit (131,072 characters) covers quoted fields that
    run across lines."""

    def __init__(self, text: io.TextIOBase, limit: int) -> None:
        self.text, self.limit = text, limit

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(self.limit)
        if not line:
            raise StopIteration
        if len(line) == self.limit and not line.endswith("\n"):
            while (rest := self.text.readline(self.limit)) and not rest.endswith("\n"):
                pass
            raise BadRecord(f"a line is longer than {self.limit:,} characters")
        return line


def _csv_rows(handle: BinaryIO) -> Iterator[Row]:
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
    reader = csv.reader(_Lines(text, MAX_LINE))
    try:
        header = [h.strip() for h in next(reader, [])]
        _check_header(header)
    except (UnicodeDecodeError, BadRecord, csv.Error) as exc:
        text.close()
        raise _unreadable_csv(exc) from None
    except UnreadableFile:
        text.close()
        raise
    return _csv_records(reader, header, text)


def _csv_records(reader: Any, header: list[str], text: io.TextIOBase) -> Iterator[Row]:
    with text:  # closed when read to the end or dropped
        yield from _csv_values(reader, header)


def _csv_values(reader: Any, header: list[str]) -> Iterator[Row]:
    number = 0
    while True:
        number += 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except (BadRecord, csv.Error) as exc:
            reason = str(exc)
            if "field larger than field limit" in reason:
                reason = f"a field is longer than {csv.field_size_limit():,} characters"
            yield number, BadRecord(reason)
            continue
        except UnicodeDecodeError:
            raise UnreadableFile(f"the CSV file is not UTF-8 (at row {number})") from None
        if not values:  # csv.DictReader skips blank lines too
            number -= 1
            continue
        yield number, dict(zip(header, values, strict=False))


def _unreadable_csv(exc: Exception) -> UnreadableFile:
    if isinstance(exc, UnicodeDecodeError):
        return UnreadableFile("the CSV file is not UTF-8")
    return UnreadableFile(f"the CSV header cannot be read ({exc})")


def _xlsx_rows(path: Path) -> Iterator[Row]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__})") from None
    try:
        sheet = book.worksheets[0]
        # Read-only mode trusts the sheet's <dimension>, which some exporters understate.
        sheet.reset_dimensions()  # type: ignore[union-attr]
        rows = sheet.iter_rows(values_only=True)
        header = [str(c or "").strip() for c in next(rows, ())]
    except Exception as exc:
        book.close()
        raise UnreadableFile(f"not a readable XLSX file ({type(exc).__name__})") from None
    try:
        _check_header(header)
    except UnreadableFile:
        book.close()
        raise
    return _xlsx_records(book, rows, header)


def _xlsx_records(book: Any, rows: Iterator[tuple[Any, ...]], header: list[str]) -> Iterator[Row]:
    try:
        for number, values in enumerate(rows, 1):
            if any(v not in (None, "") for v in values):
                yield number, dict(zip(header, values, strict=False))
    finally:
        book.close()


def _json_rows(data: bytes) -> Iterator[Row]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"not valid UTF-8 JSON ({exc})") from None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"not valid UTF-8 JSON ({exc})") from None
    except RecursionError:
        return _json_rows_too_deep(text)
    items = parsed.get("openings") if isinstance(parsed, dict) else parsed
    if not isinstance(items, list):
        raise UnreadableFile('expected a JSON list of openings (or {"openings": [...]})')
    return ((i, item if isinstance(item, dict) else {}) for i, item in enumerate(items, 1))


_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},]')


def _json_rows_too_deep(text: str) -> Iterator[Row]:
    """Some item nests deeper than Python's parser can follow: split the list into items
    with a flat scan of brackets (strings skipped), refuse the deep ones by number and
    parse the rest one by one."""
    depth, list_depth, start, number = 0, 0, -1, 0
    items: list[tuple[int, int, int]] = []  # (start, end, deepest) of each item
    deepest, closed = 0, False
    for token in _JSON_TOKEN.finditer(text):
        char = token.group()
        if char in "[{":
            depth += 1
            if list_depth == 0 and char == "[":
                list_depth, start = depth, token.end()
            deepest = max(deepest, depth - list_depth)
        elif char in "]}":
            if depth == list_depth and list_depth:
                items.append((start, token.start(), deepest))
                closed = True
                break
            depth -= 1
        elif char == "," and depth == list_depth and list_depth:
            items.append((start, token.start(), deepest))
            start, deepest = token.end(), 0
    if not closed:  # else the items after an unclosed bracket would vanish unreported
        raise UnreadableFile("not valid JSON: a bracket is never closed")
    for start, end, deep in items:
        number += 1
        if deep > MAX_JSON_DEPTH:
            yield number, BadRecord(f"the item is nested {deep} levels deep")
            continue
        try:
            item = json.loads(text[start:end])
        except json.JSONDecodeError as exc:
            yield number, BadRecord(f"not valid JSON ({exc})")
            continue
        yield number, item if isinstance(item, dict) else {}


def _check_header(header: Sequence[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise UnreadableFile(f"missing required column(s): {', '.join(missing)}")


def check_row(
    raw: Mapping[str, Any], areas: AreaTree, known: dict[str, str | None] | None = None
) -> OpeningInput | str:
    """The row as an opening, or the reason it is invalid. ``known`` remembers resolved area
    names across the rows of one file (resolving one scans every area name)."""
    text: dict[str, str] = {}
    for column in COLUMNS:
        value = _text(raw.get(column))
        if value is None:
            return f"{column} must be text or a number"
        if "\x00" in value:
            return f"{column} contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return f"{column} is not valid Unicode"
        text[column] = value
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
    if known is None:
        area_code = resolve_area(text["area"], areas)
    elif text["area"] in known:
        area_code = known[text["area"]]
    else:
        area_code = known[text["area"]] = resolve_area(text["area"], areas)
        if len(known) > 10_000:  # a file of all-different names: stay bounded
            known.clear()
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


def _text(value: Any) -> str | None:
    """The cell as text; None for a list or an object (JSON), which no column takes."""
    if value is None:
        return ""
    if isinstance(value, (dict, list, tuple)):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _integer(text: str) -> int | str | None:
    if not text:
        return None
    try:
        value = int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else int(text)
    except ValueError:
        return f"{text[:40]!r} is not a whole number"
    if value < 0:
        return "must not be negative"
    return value if value <= MAX_INTEGER else f"must be at most {MAX_INTEGER}"


def _moment(raw: Any, text: str, *, end_of_day: bool) -> datetime | str | None:
    """A date alone means the start of that day in Shandong, or its end for an expiry."""
    if isinstance(raw, (date, datetime)):
        parsed: date = raw
    elif not text:
        return None
    else:
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                parsed = date.fromisoformat(text)
            else:
                parsed = datetime.fromisoformat(text)
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return f"{text!r} is not a real date"
            return f"{text[:40]!r} is not a date (YYYY-MM-DD)"
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        return f"year must be between {YEARS[0]} and {YEARS[1]}"
    if not isinstance(parsed, datetime):
        return _day(parsed, end_of_day)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=SHANGHAI)


def _day(day: date, end_of_day: bool) -> datetime:
    start = datetime.combine(day, time(), SHANGHAI)
    return start + timedelta(days=1) if end_of_day else start
