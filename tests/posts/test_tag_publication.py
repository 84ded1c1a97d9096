"""Tags as readers will see them (``cms.posts.publication``): only through posts readers may
see. A tag on drafts, posts in review, scheduled or trashed posts alone counts nothing and
is listed nowhere; an author's draft's tags never show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from cms.extensions import db
from cms.posts import publication
from cms.posts.models import Post, PostStatus
from cms.tags import service as tags
from cms.tags.models import post_tags
from tests.performance.seeding import seed_posts

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
PUBLISHED = PostStatus.PUBLISHED


@pytest.fixture
def tagged(frozen_clock, users, post_factory):
    """One tag on one post of each state, and a tag on all but the published one."""
    editor = users["editor"]
    shown, hidden = tags.create_tag(editor, "Shown"), tags.create_tag(editor, "Hidden")
    author = users["author"]
    posts = {
        "published": post_factory(
            author, title="Out", status=PUBLISHED, published_at=NOW - timedelta(days=1)
        ),
        "draft": post_factory(author, title="Draft"),
        "review": post_factory(author, title="Review", status=PostStatus.REVIEW),
        "scheduled": post_factory(
            author, title="Later", status=PUBLISHED, published_at=NOW + timedelta(days=1)
        ),
        "trashed": post_factory(
            author,
            title="Binned",
            status=PUBLISHED,
            published_at=NOW - timedelta(days=2),
            deleted_at=NOW,
        ),
        "unpublished": post_factory(
            author, title="Taken down", published_at=NOW - timedelta(days=3)
        ),
    }
    for name, post in posts.items():
        post.tags = [shown] if name == "published" else [shown, hidden]
    db.session.commit()
    return shown, hidden, posts


def _titles(query) -> list[str]:
    return [post.title for post in db.session.scalars(query)]


def test_a_tags_page_lists_only_posts_readers_may_see(tagged):
    shown, hidden, _ = tagged
    assert _titles(publication.published_with_tag(shown.id)) == ["Out"]
    assert _titles(publication.published_with_tag(hidden.id)) == []


def test_a_tag_only_on_posts_readers_cannot_see_counts_zero_and_is_not_listed(tagged):
    shown, hidden, _ = tagged
    listed = db.session.execute(publication.tags_with_published_counts()).all()
    assert [(tag.name, count) for tag, count in listed] == [("Shown", 1)]
    assert publication.published_count(shown.id) == 1
    assert publication.published_count(hidden.id) == 0
    assert publication.find_published_tag("shown").id == shown.id
    assert publication.find_published_tag("hidden") is None
    assert publication.find_published_tag("nothing") is None


def test_a_scheduled_posts_tag_shows_once_its_time_comes(tagged, frozen_clock):
    _, hidden, _ = tagged
    assert publication.find_published_tag("hidden") is None
    frozen_clock(NOW + timedelta(days=1))
    assert publication.find_published_tag("hidden").id == hidden.id
    assert _titles(publication.published_with_tag(hidden.id)) == ["Later"]
    assert publication.published_count(hidden.id) == 1


def test_a_posts_tags_follow_its_publish_time_in_the_index(tagged, frozen_clock):
    """The database copies each post's publish time into its tag rows, whoever changes it
    (here a plain UPDATE, as no app code does), so the tag's pages order by it."""
    shown, _, posts = tagged
    draft = posts["draft"]
    db.session.execute(
        update(Post)
        .where(Post.id == draft.id)
        .values(status=PUBLISHED, published_at=NOW - timedelta(hours=1))
    )
    db.session.commit()
    copies = db.session.execute(
        select(post_tags.c.tag_id, post_tags.c.published_at).where(post_tags.c.post_id == draft.id)
    ).all()
    assert {at for _, at in copies} == {NOW - timedelta(hours=1)}
    assert _titles(publication.published_with_tag(shown.id)) == ["Draft", "Out"]


def test_a_new_tag_row_takes_its_posts_publish_time(tagged):
    _, _, posts = tagged
    late = tags.create_tag(posts["published"].author, "Late")
    posts["published"].tags.append(late)
    db.session.commit()
    stored = db.session.scalar(
        select(post_tags.c.published_at).where(post_tags.c.tag_id == late.id)
    )
    assert stored == posts["published"].published_at


def test_a_posts_tags(tagged):
    shown, hidden, posts = tagged
    assert publication.tags_of(posts["published"].id) == [(shown.name, shown.slug)]
    assert publication.tags_of(posts["draft"].id) == [
        (hidden.name, hidden.slug),
        (shown.name, shown.slug),
    ]
    by_post = publication.tags_of_posts([posts["published"].id, posts["draft"].id, 999])
    assert by_post == {posts["published"].id: [shown], posts["draft"].id: [hidden, shown], 999: []}
    assert publication.tags_of_posts([]) == {}


def test_a_tags_posts_page_by_keyset_newest_first(frozen_clock, users):
    tag = tags.create_tag(users["editor"], "Many")
    db.session.commit()
    seed_posts([users["author"]], 60, trashed_share=0.1)
    db.session.execute(
        post_tags.insert().from_select(["post_id", "tag_id"], select(Post.id, db.literal(tag.id)))
    )
    db.session.commit()
    expected = _titles(publication.published_posts())
    assert 30 < len(expected) < 60  # drafts, scheduled and trashed posts are left out

    pages, before = [], None
    while True:
        query = publication.published_with_tag(tag.id, before=before).limit(10)
        page = list(db.session.scalars(query))
        if not page:
            break
        pages.append(page)
        before = (page[-1].published_at, page[-1].id)
    assert [post.title for page in pages for post in page] == expected
    assert all(len(page) == 10 for page in pages[:-1])
    assert publication.published_count(tag.id) == len(expected)


def test_statements_built_once_take_the_tag_and_moment_as_parameters(tagged, frozen_clock):
    shown, _, _ = tagged
    built = publication.published_with_tag(publication.TAG_ID, publication.NOW)
    rows = db.session.scalars(built, {"tag_id": shown.id, "now": NOW})
    assert [post.title for post in rows] == ["Out"]
    assert (
        db.session.scalars(built, {"tag_id": shown.id, "now": NOW - timedelta(days=2)}).all() == []
    )
