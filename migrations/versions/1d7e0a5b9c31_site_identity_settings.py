"""site_settings: the portal's identity as admins set it (name, governing body, licence, …)

Revision ID: 1d7e0a5b9c31
Revises: 8b2f4c6e1a90
Create Date: 2026-12-06 21:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '1d7e0a5b9c31'
down_revision = '8b2f4c6e1a90'
branch_labels = None
depends_on = None


def upgrade():
    # Empty at first: every field falls back to its default in config.py.
    op.create_table(
        'site_settings',
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('value', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_site_settings')),
    )


def downgrade():
    op.drop_table('site_settings')
