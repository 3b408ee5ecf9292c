"""search ranked in the database: folded title and lede columns, FTS5 with three columns
on SQLite, a stored tsvector with a GIN index on PostgreSQL; numbers and tone marks made
canonical in the search words

Revision ID: b7e51c2d9a40
Revises: c40f40678599
Create Date: 2026-12-06 19:20:00.000000

Note for later migrations on SQLite: a batch_alter_table that has to *recreate* `articles`
drops the FTS triggers with the old table; create them again (TRIGGERS below) afterwards.
"""
import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from app.models.portal import STANDING_COMMITTEE
from app.services.search import folded_words, make_search_exact, make_search_text

# revision identifiers, used by Alembic.
revision = 'b7e51c2d9a40'
down_revision = 'c40f40678599'
branch_labels = None
depends_on = None

COLUMNS = "search_title, search_lede, search_text"
FTS = (f"CREATE VIRTUAL TABLE articles_fts USING fts5({COLUMNS}, content='articles', "
       "content_rowid='id', tokenize='unicode61')")
TRIGGERS = (
    f"""CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
         INSERT INTO articles_fts(rowid, {COLUMNS})
           VALUES (new.id, new.search_title, new.search_lede, new.search_text);
       END""",
    f"""CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, {COLUMNS})
           VALUES ('delete', old.id, old.search_title, old.search_lede, old.search_text);
       END""",
    f"""CREATE TRIGGER articles_fts_au AFTER UPDATE OF id, {COLUMNS} ON articles BEGIN
         INSERT INTO articles_fts(articles_fts, rowid, {COLUMNS})
           VALUES ('delete', old.id, old.search_title, old.search_lede, old.search_text);
         INSERT INTO articles_fts(rowid, {COLUMNS})
           VALUES (new.id, new.search_title, new.search_lede, new.search_text);
       END""",
)
OLD_TRIGGERS = ("articles_fts_ai", "articles_fts_ad", "articles_fts_au")
# One stored vector for the questions asked of the whole text, by weight: C all the folded
# words (with positions, for phrases), D the exact words (diacritics kept; positions kept
# too: a weight lives on positions, and "an" is both a folded and an exact word). The title and
# lede are short and asked with LIKE (app.services.search).
VECTOR = ("ALTER TABLE articles ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
          "setweight(to_tsvector('simple', search_text), 'C') || "
          "setweight(to_tsvector('simple', search_exact), 'D')) STORED")
GIN = "ix_articles_search_vector_gin"
OLD_GIN = "ix_articles_search_text_gin"


def _refill(bind) -> None:
    """Every article's search columns as refresh_search_text makes them now."""
    articles = sa.table('articles', sa.column('id', sa.Integer), sa.column('title', sa.String),
                        sa.column('lede', sa.Text), sa.column('body_html', sa.Text),
                        sa.column('cover_caption', sa.String),
                        sa.column('search_title', sa.Text), sa.column('search_lede', sa.Text),
                        sa.column('search_text', sa.Text), sa.column('search_exact', sa.Text))
    media = sa.table('media_assets', sa.column('article_id', sa.Integer),
                     sa.column('kind', sa.String), sa.column('captions', sa.JSON))
    subtitles = {}
    for row in bind.execute(sa.select(media.c.article_id, media.c.kind, media.c.captions)):
        if row.kind == 'video':
            subtitles[row.article_id] = tuple(t["text"] for t in (row.captions or [])
                                              if t.get("text"))
    rows = bind.execute(sa.select(articles.c.id, articles.c.title, articles.c.lede,
                                  articles.c.body_html, articles.c.cover_caption)).all()
    for row in rows:
        said = subtitles.get(row.id, ())
        bind.execute(articles.update().where(articles.c.id == row.id).values(
            search_title=folded_words([row.title or ""]),
            search_lede=folded_words([row.lede or ""]),
            search_text=make_search_text(row.title, row.lede, row.body_html, row.cover_caption,
                                         said),
            search_exact=make_search_exact(row.title, row.lede, row.body_html,
                                           row.cover_caption, said)))


def _refill_documents_and_schedules(bind) -> None:
    """Their search words with numbers as search now compares them ("05" → "5")."""
    docs = sa.table('documents', sa.column('id', sa.Integer), sa.column('number', sa.String),
                    sa.column('doc_type', sa.String), sa.column('issuer', sa.String),
                    sa.column('signer', sa.String), sa.column('summary', sa.Text),
                    sa.column('search_text', sa.Text))
    for row in bind.execute(sa.select(docs)).all():
        bind.execute(docs.update().where(docs.c.id == row.id).values(search_text=folded_words(
            [row.number, row.doc_type, row.issuer, row.signer or "", row.summary])))
    entries = sa.table('schedule_entries', sa.column('id', sa.Integer),
                       sa.column('content', sa.Text), sa.column('place', sa.String),
                       sa.column('participants', sa.Text), sa.column('unit_id', sa.Integer),
                       sa.column('search_text', sa.Text))
    units = dict(bind.execute(sa.text("SELECT id, name FROM units")).all())
    for row in bind.execute(sa.select(entries)).all():
        unit = units.get(row.unit_id, STANDING_COMMITTEE)
        bind.execute(entries.update().where(entries.c.id == row.id).values(
            search_text=folded_words([row.content or "", row.place or "",
                                      row.participants or "", unit])))


def _drop_fts() -> None:
    for name in OLD_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS articles_fts")


def _make_fts(table: str, triggers) -> None:
    op.execute(table)
    for trigger in triggers:
        op.execute(trigger)
    op.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")


def _first_search_revision():
    """Revision 5d2f8a91c3e7, whose one-column FTS table and triggers a downgrade restores."""
    path = Path(__file__).with_name("5d2f8a91c3e7_reader_search_folded_text_fts5_gin.py")
    spec = importlib.util.spec_from_file_location("first_search_revision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _drop_fts()
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {OLD_GIN}")
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_title', sa.Text(), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('search_lede', sa.Text(), nullable=False,
                                      server_default=''))
    _refill(bind)
    _refill_documents_and_schedules(bind)
    if bind.dialect.name == "sqlite":
        _make_fts(FTS, TRIGGERS)
    elif bind.dialect.name == "postgresql":
        op.execute(VECTOR)
        op.execute(f"CREATE INDEX {GIN} ON articles USING gin (search_vector)")


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _drop_fts()
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {GIN}")
        op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_column('search_lede')
        batch_op.drop_column('search_title')
    if bind.dialect.name == "sqlite":
        first = _first_search_revision()
        _make_fts(first.FTS, first.TRIGGERS)
    elif bind.dialect.name == "postgresql":
        op.execute(f"CREATE INDEX {OLD_GIN} ON articles USING gin "
                   "(to_tsvector('simple', search_text))")
