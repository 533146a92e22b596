"""Booking: per-slot counter rows (locked to prevent overbooking), daily queue-number
counters, and bookings (name and need encrypted).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 01:20:27.182755
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.storage.models

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_queue',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('letter', sqlmodel.sql.sqltypes.AutoString(length=1), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('office', 'day', 'letter')
    )
    op.create_table('booking_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.CheckConstraint('taken >= 0 AND taken <= capacity', name='ck_booking_slot_taken'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('office', 'service', 'day', 'start')
    )
    op.create_table('booking',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('office', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('service', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('start', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
    sa.Column('starts_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('ends_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('queue_no', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('who', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('name_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('need_enc', sqlmodel.sql.sqltypes.AutoString(length=1200), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('window', sa.Integer(), nullable=True),
    sa.Column('confirm_needed', sa.Boolean(), nullable=False),
    sa.Column('confirmed_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('created_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('called_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('finished_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('cancelled_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('cancel_reason', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('updated_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['slot_id'], ['booking_slot.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_external_id'), ['external_id'], unique=False)
        batch_op.create_index('ix_booking_office_day', ['office', 'day'], unique=False)
        batch_op.create_index('ix_booking_status_starts', ['status', 'starts_at'], unique=False)
        batch_op.create_index('ix_booking_who_status', ['who', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('booking', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_who_status')
        batch_op.drop_index('ix_booking_status_starts')
        batch_op.drop_index('ix_booking_office_day')
        batch_op.drop_index(batch_op.f('ix_booking_external_id'))

    op.drop_table('booking')
    op.drop_table('booking_slot')
    op.drop_table('booking_queue')
