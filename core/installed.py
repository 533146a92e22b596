"""The one list of enabled features. A new feature is added here and nowhere else."""

from __future__ import annotations

from core.booking.feature import FEATURE as BOOKING
from core.complaints.feature import FEATURE as COMPLAINTS
from core.features import Assembly, Feature, assemble
from core.notices.feature import FEATURE as NOTICES
from core.openings.feature import FEATURE as OPENINGS
from core.registration.feature import FEATURE as REGISTRATION

FEATURES: tuple[Feature, ...] = (REGISTRATION, OPENINGS, BOOKING, NOTICES, COMPLAINTS)


def installed() -> Assembly:
    return assemble(FEATURES)
