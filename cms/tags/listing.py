"""Posts with a tag, as a condition a list of posts reads in its own order (the admin's
posts list filtered by a tag).

A page is a list's first rows in one order. For a tag on few posts the cheapest page reads
them all (one range of ``ix_post_tags_tag_published``), looks each post up by id and sorts
them; for a tag on many, the list's order index reaches a page of them after a few rows,
each tested with one seek in ``post_tags``' primary key (post, tag), where reading them all
would cost a read of the tag's whole range and a sort of it. SQLite by itself always
read the tag's rows first and sorted them, a third of the posts for a common tag. So one
cheap statement counts the tag's rows, up to ``FEW_POSTS``, and chooses, the way
``cms.posts.search`` chooses for words; the conditions name the tags by id, which
PostgreSQL's statistics know (for "the tag with this name" it assumed an average tag, and
sorted a common tag's posts too).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, false, func, literal_column, or_, select

from cms.extensions import db
from cms.posts.models import Post
from cms.tags.models import NAME_MAX, SLUG_MAX, Tag, post_tags

#: A tag on at most this many posts: its posts are read and sorted. The two ways cost the
#: same near sqrt(page * posts) (about 4,500 at a million posts, 20 a page); below it
#: the sort is cheap, above it a page is a few thousand seeks away at most.
FEW_POSTS = 2_000
#: With many posts, the list's figure counts its posts among this many of the tag's: as
#: the search does, twice the figure's bound (``cms.counting.EXACT_UP_TO``).
_SAMPLE = 20_002

#: The longest text that can name a tag, by its name or its address.
LONGEST_NAME = max(NAME_MAX, SLUG_MAX)


@dataclass(frozen=True)
class TagLookup:
    """The posts with a tag, looked up once (``look_up``): how a list finds them."""

    condition: ColumnElement[bool]  # for a page in any order: a WHERE condition on Post
    #: For counting them: the same posts when few; when many, those among the first
    #: ``_SAMPLE`` of the tag's rows (a lower bound, ``cms.counting.bounded_only``).
    count_condition: ColumnElement[bool]
    few: bool


def named_tags(text: str) -> Select:
    """The ids of the tags ``text`` names: by address, or by name whatever its case."""
    text = text.strip()
    return select(Tag.id).where(or_(Tag.slug == text, func.lower(Tag.name) == func.lower(text)))


def look_up(text: str) -> TagLookup:
    """The posts with the tag ``text`` names (none when it names none). One statement: the
    tags it names, each with its rows counted up to ``FEW_POSTS + 1`` from its index
    range. The conditions then name the tags by id, which PostgreSQL's statistics know
    (for "the tag named so" it could only assume an average tag)."""
    if not text.strip() or len(text) > LONGEST_NAME:
        return TagLookup(false(), false(), few=True)
    rows = (
        select(literal_column("1"))
        .select_from(post_tags)
        .where(post_tags.c.tag_id == Tag.id)
        .correlate(Tag)
        .limit(FEW_POSTS + 1)
        .subquery()
    )
    counted = select(func.count()).select_from(rows).scalar_subquery()
    found = db.session.execute(named_tags(text).add_columns(counted)).all()
    if not found:
        return TagLookup(false(), false(), few=True)
    tag_ids = [tag_id for tag_id, _ in found]
    tagged = select(post_tags.c.post_id).where(post_tags.c.tag_id.in_(tag_ids))
    if sum(count for _, count in found) <= FEW_POSTS:
        condition = Post.id.in_(tagged)
        return TagLookup(condition, condition, few=True)
    # ``posts.id`` is the outer row's: one seek in the primary key for each post read.
    probe = (
        select(literal_column("1"))
        .select_from(post_tags)
        .where(post_tags.c.post_id == Post.id, post_tags.c.tag_id.in_(tag_ids))
        .exists()
    )
    return TagLookup(probe, Post.id.in_(tagged.limit(_SAMPLE)), few=False)
