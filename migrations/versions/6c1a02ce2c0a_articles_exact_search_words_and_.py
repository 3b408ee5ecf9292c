"""articles: exact search words and responsive cover variants

Revision ID: 6c1a02ce2c0a
Revises: f3cf5bf3d7a5
Create Date: 2026-11-27 17:32:45.090234

"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from app.services.search import make_search_exact


# revision identifiers, used by Alembic.
revision = '6c1a02ce2c0a'
down_revision = 'f3cf5bf3d7a5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_exact', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('cover_variants', sa.JSON(), server_default='{}', nullable=False))
    _fill_search_exact(op.get_bind())


def _fill_search_exact(bind):
    """The exact words of the articles already there, as refresh_search_text makes them
    (title, lede, body, caption, then the subtitles of the article's video)."""
    articles = sa.table('articles', sa.column('id', sa.Integer), sa.column('title', sa.String),
                        sa.column('lede', sa.Text), sa.column('body_html', sa.Text),
                        sa.column('cover_caption', sa.String),
                        sa.column('search_exact', sa.Text))
    media = sa.table('media_assets', sa.column('article_id', sa.Integer),
                     sa.column('kind', sa.String), sa.column('captions', sa.JSON))
    subtitles = {}
    # The kind is compared here, not in SQL: on PostgreSQL it is an enum type.
    for row in bind.execute(sa.select(media.c.article_id, media.c.kind, media.c.captions)):
        if row.kind == 'video':
            subtitles[row.article_id] = tuple(t["text"] for t in (row.captions or [])
                                              if t.get("text"))
    rows = bind.execute(sa.select(articles.c.id, articles.c.title, articles.c.lede,
                                  articles.c.body_html, articles.c.cover_caption)).all()
    for row in rows:
        bind.execute(articles.update().where(articles.c.id == row.id).values(
            search_exact=make_search_exact(row.title, row.lede, row.body_html,
                                           row.cover_caption, subtitles.get(row.id, ()))))


def _search_triggers():
    """The FTS5 triggers of revision 5d2f8a91c3e7 (a SQLite table rebuild drops them)."""
    path = Path(__file__).with_name("5d2f8a91c3e7_reader_search_folded_text_fts5_gin.py")
    spec = importlib.util.spec_from_file_location("search_revision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.TRIGGERS


def downgrade():
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('cover_variants')
        batch_op.drop_column('search_exact')
    if op.get_bind().dialect.name == "sqlite":
        for name in ("articles_fts_ai", "articles_fts_ad", "articles_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for trigger in _search_triggers():
            op.execute(trigger)
