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
STATES_INDEX = "ix_posts_live_state"
AUTHOR_STATES_INDEX = "ix_posts_live_author_state"
TRASHED = "deleted_at IS NOT NULL"

#: The sortable columns of each slice (the author column sorts through ``ix_posts_author_id``
#: joined to the users' unique email index).
_SORTS = {
    ("live", LIVE): ("updated_at", "title", "status", "published_at"),
    ("trashed", TRASHED): ("deleted_at", "title"),
}


def _partial(name: str, where: str, *columns: str) -> Index:
    return Index(name, *columns, sqlite_where=text(where), postgresql_where=text(where))


def _key(column: str) -> tuple[str, ...]:
    # ``deleted_at`` last: SQLite checks a partial index's condition against the table row
    # unless the index holds the column, so without it a count (which needs no other
    # column) reads the table instead of the index.
    return (column, "id") if column == "deleted_at" else (column, "id", "deleted_at")


def list_index_name(trashed: bool, column: str, *, by_author: bool) -> str | None:
    """The index that reads the posts outside the trash (or in it), one author's or
    everyone's, in the order of ``column`` then id; None when there is none."""
    for (slice_name, where), columns in _SORTS.items():
        if (where == TRASHED) == trashed and column in columns:
            return f"ix_posts_{slice_name}_{'author_' if by_author else ''}{column}"
    return None


def admin_list_indexes() -> tuple[Index, ...]:
    indexes = []
    for (_slice, where), columns in _SORTS.items():
        for column in columns:
            for by_author in (False, True):
                name = list_index_name(where == TRASHED, column, by_author=by_author)
                leading = ("author_id",) if by_author else ()
                indexes.append(_partial(name, where, *leading, *_key(column)))
    # Each author's posts in id order, in and out of the trash: the lists sorted by author
    # read a page of each author's posts from them (``cms.admin.join_sorts``).
    for slice_name, where in _SORTS:
        by_id = ("author_id", "id", "deleted_at")
        indexes.append(_partial(f"ix_posts_{slice_name}_author_id", where, *by_id))
    # The states (``Post.in_state_at``: a status, and for published and scheduled posts a
    # publish time before or after now): the dashboard counts each, the list filters by it.
    # With updated_at, they also hold when readers last saw each post change
    # (``public_authors.post_changed_at``): the sitemap's grouped reads over every published
    # post, by block of ids and by author, read these indexes alone (at a million posts,
    # 1.7 s instead of 12 s and 0.7 s instead of 19 s on SQLite, which otherwise reads
    # each post's row past its 2 KB body).
    states = ("status", "published_at", "id", "updated_at", "deleted_at")
    indexes.append(_partial(STATES_INDEX, LIVE, *states))
    # The same for one author (an author's dashboard and state filter): without it their
    # counts read a table row per post to check the publish time or the status.
    author_states = ("author_id", *states)
    indexes.append(_partial(AUTHOR_STATES_INDEX, LIVE, *author_states))
    # A state's posts in the list's default order (the dashboard links to these lists).
    indexes.append(_partial(f"{STATES_INDEX}_updated_at", LIVE, "status", *_key("updated_at")))
    return tuple(indexes)
