"""search on PostgreSQL: a narrow table of the published articles' search keys, kept by a
trigger, that the GIN index answers alone — instead of a positions-and-weights vector on the
wide articles table, which made every match's row be read to rank it

Revision ID: 4f6b8d0a2c1e
Revises: e2a9c4d71f3b
Create Date: 2026-12-06 21:40:00.000000

`article_search` holds one row per published article: its id, section and date (the filters
and the order of a page) and its keys (app.services.search: the folded words, each pair of
neighbouring words, the exact words, the title's and the lede's words and pairs). A page of
results reads ~40 bytes a match here instead of an articles row and its vector. Nothing
changes on SQLite: FTS5 answers the same questions from its own index.
"""
import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = '4f6b8d0a2c1e'
down_revision = 'e2a9c4d71f3b'
branch_labels = None
depends_on = None

TABLE = "article_search"
GIN = "ix_article_search_search_keys_gin"
TEXT_CHARS = 100_000  # ~20,000 words: a long report's annex; its keys stay well under 1 MB
LEDE_CHARS = 3_000
KEY_BYTES = 2047
OLD_GIN = "ix_articles_search_vector_gin"


def _words(column: str, mark: str = "") -> str:
    """The column's words, and each pair of neighbouring words joined by "_" (the pairs that
    start at an even word, then those that start at an odd one), each with `mark` before it."""
    even = rf"regexp_replace({column}, '(\S+) (\S+)', '\1_\2', 'g')"
    odd = rf"regexp_replace(regexp_replace({column}, '^\S+ ?', ''), '(\S+) (\S+)', '\1_\2', 'g')"
    every = f"({column} || ' ' || {even} || ' ' || {odd})"
    return rf"regexp_replace({every}, '(\S+)', '{mark}\1', 'g')" if mark else every


def keys(row: str = "") -> str:
    """The tsvector of an articles row's search keys. The marks are app.services.search's
    EXACT_KEY, TITLE_KEY and LEDE_KEY (copied: a migration keeps what it made). The text is
    read up to TEXT_CHARS and a key over KEY_BYTES is left out: a tsvector refuses a lexeme
    over 2,047 bytes and a vector over 1 MB, and publishing must never fail on that."""
    text = f"left({row}search_text, {TEXT_CHARS})"
    text = " || ' ' || ".join([
        _words(text),
        rf"regexp_replace(left({row}search_exact, {TEXT_CHARS}), '(\S+)', '=\1', 'g')",
        _words(f"{row}search_title", "^"),
        _words(f"left({row}search_lede, {LEDE_CHARS})", "~")])
    # (the columns are never null; doubled spaces make empty words, left out too)
    return (f"array_to_tsvector(ARRAY(SELECT DISTINCT k FROM unnest(string_to_array({text}, ' '))"
            f" AS k WHERE k <> '' AND octet_length(k) <= {KEY_BYTES}))")


SYNC = f"""
CREATE FUNCTION article_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM {TABLE} WHERE article_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'published' THEN
    INSERT INTO {TABLE} (article_id, category_id, published_at, search_keys)
    VALUES (NEW.id, NEW.category_id, NEW.published_at, {keys("NEW.")});
  END IF;
  RETURN NULL;
END $$"""
TRIGGER = (f"CREATE TRIGGER article_search_sync AFTER INSERT OR DELETE OR UPDATE OF id, "
           "status, category_id, published_at, search_text, search_exact, search_title, "
           "search_lede ON articles FOR EACH ROW EXECUTE FUNCTION article_search_sync()")


def _previous():
    """Revision b7e51c2d9a40, whose vector (positions and weights) a downgrade restores."""
    path = Path(__file__).with_name("b7e51c2d9a40_search_ranked_in_the_database.py")
    spec = importlib.util.spec_from_file_location("previous_search_revision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {OLD_GIN}")
    op.execute("ALTER TABLE articles DROP COLUMN IF EXISTS search_vector")
    op.execute(f"""CREATE TABLE {TABLE} (
        article_id integer PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
        category_id integer,
        published_at timestamp with time zone,
        search_keys tsvector NOT NULL)""")
    op.execute(f"INSERT INTO {TABLE} (article_id, category_id, published_at, search_keys) "
               f"SELECT id, category_id, published_at, {keys()} FROM articles "
               "WHERE status = 'published'")
    # (a GIN index over a large archive builds several times faster with room to sort in)
    op.execute("SET LOCAL maintenance_work_mem = '256MB'")
    op.execute(f"CREATE INDEX {GIN} ON {TABLE} USING gin (search_keys)")
    op.execute(SYNC)
    op.execute(TRIGGER)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS article_search_sync ON articles")
    op.execute("DROP FUNCTION IF EXISTS article_search_sync()")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
    op.execute(_previous().VECTOR)
    op.execute(f"CREATE INDEX {OLD_GIN} ON articles USING gin (search_vector)")
