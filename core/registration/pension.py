"""Statutory pension age with the gradual raise from 2025, as parameters from content."""

from __future__ import annotations

from datetime import date

from core.registration.rules import PensionTrack


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + (end.month - start.month)


def extra_months(track: PensionTrack, birth: date) -> int:
    """Months added to the base age for someone born in ``birth``'s month."""
    born_after = _months_between(track.first_birth, birth)
    if born_after < 0:
        return 0
    return min(track.max_extra_months, born_after // track.step_months + 1)


def pension_date(track: PensionTrack, birth: date) -> date:
    """The day the person reaches pension age (the same day of the month, or the last)."""
    months = track.base_years * 12 + extra_months(track, birth)
    year, month = divmod(birth.month - 1 + months, 12)
    year, month = birth.year + year, month + 1
    for day in (birth.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def age_on(birth: date, day: date) -> int:
    """Whole years of age on ``day``."""
    years = day.year - birth.year
    return years - 1 if (day.month, day.day) < (birth.month, birth.day) else years
