"""home page pins (top story, featured, first in a section's block) and articles' word counts

Revision ID: 8b2f4c6e1a90
Revises: 4f6b8d0a2c1e
Create Date: 2026-12-06 21:45:00.000000

"""
import re
from html import unescape

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

# revision identifiers, used by Alembic.
revision = '8b2f4c6e1a90'
down_revision = '4f6b8d0a2c1e'
branch_labels = None
depends_on = None

PIN_SLOT = sa.Enum('top', 'featured', 'section', name='pin_slot')
_TAG = re.compile(r"<[^>]*>")


def _words(body_html):
    """What app.services.publishing.count_words counts, near enough for a reading time."""
    return len(unescape(_TAG.sub(" ", body_html or "")).split())


def upgrade():
    op.create_table(
        'home_pins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slot', PIN_SLOT, nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('expires_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['articles.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['category_id'], ['categories.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('home_pins', schema=None) as batch_op:
        batch_op.create_index('ix_home_pins_slot_expires', ['slot', 'expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_pins_article_id'), ['article_id'],
                              unique=False)
    # A plain ALTER (no batch): rebuilding `articles` on SQLite would drop its FTS triggers
    # (see revision b7e51c2d9a40).
    op.add_column('articles', sa.Column('word_count', sa.Integer(), server_default='0',
                                        nullable=False))
    # The articles already there get their count now (the app keeps it from here on).
    conn = op.get_bind()
    articles = sa.table('articles', sa.column('id', sa.Integer),
                        sa.column('body_html', sa.Text), sa.column('word_count', sa.Integer))
    for row in conn.execute(sa.select(articles.c.id, articles.c.body_html)).all():
        conn.execute(articles.update().where(articles.c.id == row.id)
                     .values(word_count=_words(row.body_html)))


def downgrade():
    # SQLite 3.35+ drops a column in place, keeping the FTS triggers a rebuild would lose.
    op.execute("ALTER TABLE articles DROP COLUMN word_count")
    with op.batch_alter_table('home_pins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_pins_article_id'))
        batch_op.drop_index('ix_home_pins_slot_expires')
    op.drop_table('home_pins')
    PIN_SLOT.drop(op.get_bind(), checkfirst=True)  # PostgreSQL keeps enum types
