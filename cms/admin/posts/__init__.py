"""The posts admin: the posts list and editor, and the trash beside it."""

from cms.admin.posts.editor import PostAdmin
from cms.admin.posts.trash import TrashAdmin

__all__ = ["PostAdmin", "TrashAdmin"]
