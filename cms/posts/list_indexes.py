"""The indexes behind the admin's post lists, declared here and named in ``Post``'s table
arguments (``cms/posts/models.py`` stays short).

Each list reads one slice of the table in one order: outside the trash or in it (the
condition every list carries, hence partial indexes), everyone's posts or one author's
(an author's own list, or anyone's list filtered by author), sorted by one column with the
post's id as the tie-breaker. An index on exactly that slice and order lets a page stop
after its rows, and a keyset cursor ``(column, id)`` start anywhere, at the same cost on
page one and page fifty thousand (see ``cms.admin.paging``).
"""

from __future__ import annotations

from sqlalchemy import Index, text

LIVE = "deleted_at IS NULL"
TRASHED = "deleted_at IS NOT NULL"

#: The sortable columns of each slice (the author column sorts through ``ix_posts_author_id``
#: joined to the users' unique email index).
_SORTS = {
    ("live", LIVE): ("updated_at", "title", "status", "published_at"),
    ("trashed", TRASHED): ("deleted_at", "title"),
}


def _partial(name: str, where: str, *columns: str) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


def admin_list_indexes() -> tuple[Index, ...]:
    indexes = []
    for (slice_name, where), columns in _SORTS.items():
        for column in columns:
            indexes.append(_partial(f"ix_posts_{slice_name}_{column}", where, column, "id"))
            indexes.append(
                _partial(f"ix_posts_{slice_name}_author_{column}", where, "author_id", column, "id")
            )
    return tuple(indexes)
