"""Statements per request in the admin: a fixed number, whatever the number of posts.

A list page sends at most four (the user's session, PostgreSQL's row estimate, the page
with its bounded count, the author filter's choices), the dashboard three; and the same
number with 5 posts as with 200, so nothing is loaded row by row. A search's lookup, or a
tag filter's, takes the place of the row estimate.
"""

from __future__ import annotations

from sqlalchemy import literal, select

from cms.admin.cursors import Cursor
from cms.extensions import db
from cms.posts.models import Post
from cms.tags import service as tags
from cms.tags.models import post_tags
from tests.performance.seeding import seed_posts
from tests.statements import recorded_statements

TITLE = 0


def _deep_cursor() -> str:
    """The list's default order, from two thirds of the way down."""
    posts = db.session.scalars(
        select(Post)
        .where(Post.deleted_at.is_(None))
        .order_by(Post.updated_at.desc(), Post.id.desc())
    ).all()
    post = posts[len(posts) * 2 // 3]
    return Cursor("default", post.updated_at, post.id).token()


def _tag_every_third_post(tag) -> None:
    untagged = select(Post.id, literal(tag.id)).where(
        Post.id % 3 == 0, Post.id.not_in(select(post_tags.c.post_id))
    )
    db.session.execute(post_tags.insert().from_select(["post_id", "tag_id"], untagged))
    db.session.commit()


def _statements_per_request(app, client, author) -> dict[str, int]:
    urls = {
        "page 1": "/admin/posts/",
        "deep page": f"/admin/posts/?after={_deep_cursor()}",
        "last page": "/admin/posts/?last=1",
        "sorted": f"/admin/posts/?sort={TITLE}&desc=1",
        "filtered": "/admin/posts/?flt0_0=published",
        "by author": f"/admin/posts/?flt0_1={author.id}",
        # The search's lookup (SQLite's bounded count, PostgreSQL's estimates) takes the
        # place of the row estimate.
        "search": "/admin/posts/?search=tea",
        "search, absent word": "/admin/posts/?search=zzzqx",
        "search by author": f"/admin/posts/?search=post&flt0_1={author.id}",
        "by tag": "/admin/posts/?flt0_2=common",
        "by tag, unknown": "/admin/posts/?flt0_2=nothing",
        "by tag and author": f"/admin/posts/?flt0_2=common&flt1_1={author.id}",
        "tags": "/admin/tags/",
        "trash": "/admin/trash/",
        "dashboard": "/admin/",
    }
    counts = {}
    for name, url in urls.items():
        with recorded_statements(app) as statements:
            assert client.get(url).status_code == 200
        counts[name] = len(statements)
    return counts


def test_the_admin_sends_as_many_statements_for_200_posts_as_for_5(app, client, users):
    authors = [users["author"], users["other_author"]]
    tag = tags.create_tag(users["editor"], "Common")
    seed_posts(authors, 5, trashed_share=0.4)
    _tag_every_third_post(tag)
    client.login(users["admin"].email)
    few = _statements_per_request(app, client, users["author"])
    seed_posts(authors, 195, seed=10, trashed_share=0.4)
    _tag_every_third_post(tag)
    many = _statements_per_request(app, client, users["author"])
    assert many == few
    assert max(count for name, count in many.items() if name != "dashboard") <= 4
    assert many["dashboard"] <= 3
