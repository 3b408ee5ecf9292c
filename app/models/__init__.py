"""The portal's data: content, people and media assets."""

from .content import Article, ArticleStatus, Category, ListenSource, Unit
from .home import HomePin, PinSlot
from .lexicon import LexiconEntry
from .media import MediaAsset, MediaKind, MediaStatus
from .newsroom import ApiToken, ArticleImage, ArticleRevision, AuditEntry, Autosave
from .page import InfoPage
from .portal import Banner, Comment, CommentStatus, Document, ScheduleEntry
from .site import SiteSetting
from .user import Role, StaffSession, User

__all__ = ["ApiToken", "Article", "ArticleImage", "ArticleRevision", "ArticleStatus",
           "AuditEntry", "Autosave", "Banner", "Category", "Comment", "CommentStatus",
           "Document", "HomePin", "InfoPage", "ScheduleEntry", "LexiconEntry", "ListenSource",
           "MediaAsset", "MediaKind", "MediaStatus", "PinSlot", "Role", "SiteSetting",
           "StaffSession", "Unit",
           "User"]
