"""content/booking.yaml is checked at start-up: a bad office stops it with file, key and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from core.booking.offices import offices_for
from core.content.loader import load_content
from core.content.yamlfile import ContentError
from core.settings import PROJECT_ROOT


def _content_with(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", target)
    path = target / "booking.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_demo_offices_cover_the_demo_areas_with_whole_slots() -> None:
    offices = offices_for(load_content(PROJECT_ROOT / "content"))
    street = offices.get("370102001000")
    assert street is not None and street.services["guidance"].letter == "A"
    assert [s.isoformat("minutes") for s in street.slots()][:3] == ["09:00", "10:00", "11:00"]
    assert offices.get("370102001002") is not None and offices.rules.days_ahead == 10


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ('area: "370102002000"', 'area: "379999999999"', "offices[2].area"),
        ("placement: {letter: B, capacity: 2}", "placement: {letter: A}", "offices[0].services"),
        ("guidance: {letter: A}", "careers: {letter: A}", "offices[2].services.careers"),
        ("capacity: 2                 #", "capacity: 0                 #", "defaults"),
        ('daily_cutoff: "16:00"', 'daily_cutoff: "4pm"', "defaults.daily_cutoff"),
        ('hours: ["09:00-11:30", "14:00-17:00"]', 'hours: ["09:00-09:30"]', "offices[1]"),
    ],
)
def test_bad_booking_content_stops_start_up(tmp_path: Path, old: str, new: str, key: str) -> None:
    content = load_content(_content_with(tmp_path, old, new))
    with pytest.raises(ContentError) as raised:
        offices_for(content)
    assert raised.value.key == key and "booking.yaml" in str(raised.value)
