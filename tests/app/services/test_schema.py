import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from app.models import Article
from app.services.search import include_name, include_object
from app.services.slugs import unique_slug


def test_migrations_build_exactly_the_models_schema(app):
    """The test database was built by `flask db upgrade`; it must match the models."""
    with db.engine.connect() as conn:
        # The search structures are backend-specific (FTS5 / GIN): the models leave them out.
        context = MigrationContext.configure(conn, opts={"include_name": include_name,
                                                         "include_object": include_object})
        with warnings.catch_warnings():  # SQLite cannot reflect the (PostgreSQL) GIN index
            warnings.filterwarnings("ignore", message=".*ix_articles_search_text_gin.*")
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_vietnamese_titles_fold_into_ascii_slugs(app, make_article):
    assert unique_slug(Article, "Đẩy nhanh tiến độ nâng cấp Cổng thông tin", "bai-viet") == \
        "day-nhanh-tien-do-nang-cap-cong-thong-tin"
    assert unique_slug(Article, "!!!", "bai-viet") == "bai-viet"
    first = make_article("Hậu Giang đổi mới")
    second = make_article("Hậu Giang đổi mới")
    assert (first.slug, second.slug) == ("hau-giang-doi-moi", "hau-giang-doi-moi-2")
