"""Imports every module that defines tables, so the metadata is complete for Alembic."""

from core.openings import models as opening_models  # noqa: F401
from core.registration import models as registration_models  # noqa: F401
from core.storage import models  # noqa: F401
