"""listen source: narration or the video's soundtrack

Revision ID: 14504bcf8b63
Revises: 0666c4091031
Create Date: 2026-11-27 15:06:20.756799

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '14504bcf8b63'
down_revision = '0666c4091031'
branch_labels = None
depends_on = None


LISTEN_SOURCE = sa.Enum('narration', 'video', name='listen_source')


def upgrade():
    LISTEN_SOURCE.create(op.get_bind(), checkfirst=True)  # PostgreSQL: a type of its own
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listen_source', LISTEN_SOURCE,
                                      server_default='narration', nullable=False))


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('listen_source')
    LISTEN_SOURCE.drop(op.get_bind(), checkfirst=True)
