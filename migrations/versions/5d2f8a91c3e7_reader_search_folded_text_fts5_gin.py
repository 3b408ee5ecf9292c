"""reader search: folded search_text, FTS5 on SQLite, a GIN index on PostgreSQL

Revision ID: 5d2f8a91c3e7
Revises: 14504bcf8b63
Create Date: 2026-11-27 15:50:00.000000

Note for later migrations on SQLite: a batch_alter_table that has to *recreate* `articles`
drops the FTS triggers with the old table; create them again (TRIGGERS below) afterwards.
"""
import sqlalchemy as sa
from alembic import op

from app.services.search import make_search_text

# revision identifiers, used by Alembic.
revision = '5d2f8a91c3e7'
down_revision = '14504bcf8b63'
branch_labels = None
depends_on = None

FTS = ("CREATE VIRTUAL TABLE articles_fts USING fts5(search_text, content='articles', "
       "content_rowid='id', tokenize='unicode61')")
TRIGGERS = (
    """CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
    """CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, search_text)
           VALUES ('delete', old.id, old.search_text);
       END""",
    """CREATE TRIGGER articles_fts_au AFTER UPDATE OF id, search_text ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, search_text)
           VALUES ('delete', old.id, old.search_text);
         INSERT INTO articles_fts(rowid, search_text) VALUES (new.id, new.search_text);
       END""",
)
GIN = "ix_articles_search_text_gin"


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), nullable=False,
                                      server_default=''))

    articles = sa.table('articles', sa.column('id', sa.Integer), sa.column('title', sa.String),
                        sa.column('lede', sa.Text), sa.column('body_html', sa.Text),
                        sa.column('cover_caption', sa.String),
                        sa.column('search_text', sa.Text))
    rows = bind.execute(sa.select(articles.c.id, articles.c.title, articles.c.lede,
                                  articles.c.body_html, articles.c.cover_caption)).all()
    for row in rows:
        bind.execute(articles.update().where(articles.c.id == row.id).values(
            search_text=make_search_text(row.title, row.lede, row.body_html,
                                         row.cover_caption)))

    if bind.dialect.name == "sqlite":
        op.execute(FTS)
        for trigger in TRIGGERS:
            op.execute(trigger)
        op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    elif bind.dialect.name == "postgresql":
        op.create_index(GIN, 'articles', [sa.text("to_tsvector('simple', search_text)")],
                        postgresql_using='gin')


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("articles_fts_au", "articles_fts_ad", "articles_fts_ai"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    elif bind.dialect.name == "postgresql":
        op.drop_index(GIN, table_name='articles')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('search_text')
