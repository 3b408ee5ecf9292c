"""articles: when an article was last edited after it went live (readers see "Cập nhật")

Revision ID: e2a9c4d71f3b
Revises: b7e51c2d9a40
Create Date: 2026-12-06 20:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = 'e2a9c4d71f3b'
down_revision = 'b7e51c2d9a40'
branch_labels = None
depends_on = None


def upgrade():
    # Not filled for the articles already there: updated_at also moves with view counts and
    # media, so it cannot tell an edit; they show their publication time only.
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('edited_at', UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('edited_at')
