"""Registration: people, their chat links and history, registrations, review events, drafts.

ID number, name and phone are stored encrypted (``*_enc``); the ID number is found by its
keyed hash. One person per ID hash (unique); one chat identity per person link and per
draft (unique channel + external id).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 17:19:40.682015
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.storage.models

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_type', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('id_number_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('name_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('phone_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('area_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('created_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('id_hash')
    )
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_area_code'), ['area_code'], unique=False)

    op.create_table('person_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id')
    )
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_identity_person_id'), ['person_id'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('review_levels', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('area_code', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
    sa.Column('id_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('id_number_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('name_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('phone_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('privacy_version', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('privacy_accepted_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('pledge_version', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=True),
    sa.Column('pledge_signed_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('returned_items', sa.JSON(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('submitted_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('accepted_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('decided_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('step_started_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('remind_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('due_at', core.storage.models.UTCDateTime(), nullable=True),
    sa.Column('updated_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_area_code'), ['area_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_external_id'), ['external_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_id_hash'), ['id_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_person_id'), ['person_id'], unique=False)
        batch_op.create_index('ix_registration_status_due', ['status', 'due_at'], unique=False)

    op.create_table('person_revision',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('changed', sa.JSON(), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.Column('at', core.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('person_revision', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_revision_person_id'), ['person_id'], unique=False)

    op.create_table('registration_draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('step', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('name_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('id_number_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('phone_enc', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True),
    sa.Column('privacy_version', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('privacy_accepted_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('created_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', core.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'external_id')
    )
    with op.batch_alter_table('registration_draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_draft_updated_at'), ['updated_at'], unique=False)

    op.create_table('registration_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('at', core.storage.models.UTCDateTime(), nullable=False),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
    sa.Column('from_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('to_status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('registration_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_event_registration_id'), ['registration_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('registration_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_event_registration_id'))

    op.drop_table('registration_event')
    with op.batch_alter_table('registration_draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_draft_updated_at'))

    op.drop_table('registration_draft')
    with op.batch_alter_table('person_revision', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_revision_person_id'))

    op.drop_table('person_revision')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index('ix_registration_status_due')
        batch_op.drop_index(batch_op.f('ix_registration_person_id'))
        batch_op.drop_index(batch_op.f('ix_registration_id_hash'))
        batch_op.drop_index(batch_op.f('ix_registration_external_id'))
        batch_op.drop_index(batch_op.f('ix_registration_area_code'))

    op.drop_table('registration')
    with op.batch_alter_table('person_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_identity_person_id'))

    op.drop_table('person_identity')
    with op.batch_alter_table('person', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_area_code'))

    op.drop_table('person')
