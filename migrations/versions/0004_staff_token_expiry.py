"""staff API tokens expire

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 01:30:00

A token carries its expiry (``jobbot staff token`` sets it, JOBBOT_STAFF_TOKEN_DAYS);
tokens issued before this revision get the default 90 days from the upgrade.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

import core.storage.models

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('api_token_expires_at', core.storage.models.UTCDateTime(), nullable=True)
        )
    staff = sa.table(
        'staff',
        sa.column('api_token_hash', sa.String()),
        sa.column('api_token_expires_at', core.storage.models.UTCDateTime()),
    )
    op.execute(
        staff.update()
        .where(staff.c.api_token_hash.isnot(None))
        .values(api_token_expires_at=datetime.now(UTC) + timedelta(days=90))
    )


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('api_token_expires_at')
