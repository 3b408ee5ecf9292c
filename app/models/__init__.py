"""The portal's data: content, people and media assets."""

from .content import Article, ArticleStatus, Category, ListenSource, Unit
from .lexicon import LexiconEntry
from .media import MediaAsset, MediaKind, MediaStatus
from .page import InfoPage
from .user import Role, User

__all__ = ["Article", "ArticleStatus", "Category", "InfoPage", "LexiconEntry", "ListenSource",
           "MediaAsset", "MediaKind", "MediaStatus", "Role", "Unit", "User"]
