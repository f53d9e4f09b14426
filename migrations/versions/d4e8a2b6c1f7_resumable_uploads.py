"""resumable uploads: a file sent in pieces (tus), its state shared by every worker on every machine

One row per upload begun and not yet complete (its bytes so far are a file
under STORAGE_DIR/partial/). Going down drops the table; the partial files it
leaves are no one's and may be deleted.

Revision ID: d4e8a2b6c1f7
Revises: b25e1d8f3c42
Create Date: 2026-12-01 21:10:00.000000

"""
import sqlalchemy as sa
from alembic import op

import app.core.types

# revision identifiers, used by Alembic.
revision = 'd4e8a2b6c1f7'
down_revision = 'b25e1d8f3c42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resumable_uploads',
    sa.Column('id', sa.String(length=40), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('upload_length', sa.BigInteger(), nullable=False),
    sa.Column('upload_offset', sa.BigInteger(), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_resumable_uploads_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_resumable_uploads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resumable_uploads'))
    )
    with op.batch_alter_table('resumable_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resumable_uploads_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_resumable_uploads_task_id'), ['task_id'], unique=False)


def downgrade():
    with op.batch_alter_table('resumable_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resumable_uploads_task_id'))
        batch_op.drop_index(batch_op.f('ix_resumable_uploads_expires_at'))

    op.drop_table('resumable_uploads')
