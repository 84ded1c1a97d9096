"""Slugs: readable, URL-safe in every script, short enough for the column, and unique."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from cms.posts.models import SLUG_MAX, TITLE_MAX, PostStatus
from cms.posts.slugs import Holder, holder_of, normalise_slug, slug_taken, unique_slug_from

SLUG_SHAPE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Hello, World!", "hello-world"),
        ("  Spaces   and -- dashes  ", "spaces-and-dashes"),
        ("Release 2.0 is out", "release-2-0-is-out"),
        ("Grüße aus Köln", "grusse-aus-koln"),
        ("Über Straße", "uber-strasse"),
        ("ÄÖÜ äöü ß", "aou-aou-ss"),
        ("Ça va? Déjà vu", "ca-va-deja-vu"),
        ("Привет мир", "privet-mir"),
        ("你好", "ni-hao"),
        ("你好世界", "ni-hao-shi-jie"),
        ("🎉 Party time 🎉", "party-time"),
    ],
)
def test_normalise_slug(text, slug):
    assert normalise_slug(text) == slug
    assert SLUG_SHAPE.match(slug)


@pytest.mark.parametrize("text", ["🎉🎉🎉", "", "   ", "!!! ???", None])
def test_nothing_usable_gives_an_empty_slug(text):
    assert normalise_slug(text) == ""


@pytest.mark.parametrize("text", ["Hello, World!", "Grüße aus Köln", "你好世界", "a" * 300])
def test_normalising_a_slug_again_changes_nothing(text):
    slug = normalise_slug(text)
    assert normalise_slug(slug) == slug


def test_a_very_long_title_is_cut_at_a_word_boundary_within_the_column():
    title = " ".join(["internationalisation"] * 40)  # 839 characters
    slug = normalise_slug(title)
    assert len(slug) <= SLUG_MAX
    assert len(slug) > SLUG_MAX // 2
    assert SLUG_SHAPE.match(slug)
    assert all(word == "internationalisation" for word in slug.split("-"))


def test_a_very_long_single_word_is_cut_within_the_column():
    slug = normalise_slug("x" * 1000)
    assert 0 < len(slug) <= SLUG_MAX
    assert set(slug) == {"x"}


def test_unique_slug_from_a_free_title(users):
    assert unique_slug_from("Hello world") == "hello-world"


def test_unique_slug_counts_up_when_taken(users, post_factory):
    assert post_factory(users["author"], title="Hello world").slug == "hello-world"
    assert unique_slug_from("Hello world") == "hello-world-2"

    assert post_factory(users["author"], title="Hello, World!").slug == "hello-world-2"
    assert unique_slug_from("hello world") == "hello-world-3"

    assert post_factory(users["author"], title="HELLO WORLD").slug == "hello-world-3"
    assert unique_slug_from("Hello world") == "hello-world-4"


def test_unique_slug_skips_a_suffix_another_title_already_has(users, post_factory):
    post_factory(users["author"], title="Notes")
    post_factory(users["author"], title="Notes 2")  # slug "notes-2", by its own title

    assert unique_slug_from("Notes") == "notes-3"


def test_unique_slug_ignores_the_post_itself(users, post_factory):
    post = post_factory(users["author"], title="Hello world")

    assert unique_slug_from("Hello world", exclude_post_id=post.id) == "hello-world"
    assert unique_slug_from("Hello world") == "hello-world-2"


def test_excluding_one_post_still_avoids_the_others(users, post_factory):
    first = post_factory(users["author"], title="Hello world")
    second = post_factory(users["author"], title="Hello world")
    assert second.slug == "hello-world-2"

    # Each keeps its own slug, and neither may take the other's.
    assert unique_slug_from("Hello world", exclude_post_id=second.id) == "hello-world-2"
    assert unique_slug_from("Hello world", exclude_post_id=first.id) == "hello-world"
    assert unique_slug_from("Hello world") == "hello-world-3"


def test_slug_taken(users, post_factory):
    post = post_factory(users["author"], title="Taken")
    assert slug_taken("taken")
    assert not slug_taken("taken", exclude_post_id=post.id)
    assert not slug_taken("free")


@pytest.mark.parametrize("title", ["🎉🎉🎉", "!!!", "   "])
def test_a_title_with_nothing_sluggable_yields_post(users, post_factory, title):
    assert unique_slug_from(title) == "post"
    assert post_factory(users["author"], title=title).slug == "post"
    assert unique_slug_from(title) == "post-2"
    assert post_factory(users["author"], title="🚀").slug == "post-2"


def test_long_titles_that_collide_still_fit_the_column(users, post_factory):
    """Saved for real, so PostgreSQL's VARCHAR(200) would reject a slug that is too long."""
    title = ("A remarkably long headline " * 8)[:TITLE_MAX]
    posts = [post_factory(users["author"], title=title) for _ in range(3)]

    slugs = [post.slug for post in posts]
    assert len(slugs[0]) >= SLUG_MAX - 10  # near the cap, so a suffix has to fit in
    assert len(set(slugs)) == 3
    assert all(len(slug) <= SLUG_MAX for slug in slugs)
    assert slugs[1] == slugs[0] + "-2"
    assert slugs[2] == slugs[0] + "-3"


def test_what_an_author_can_see_is_all_a_made_slug_avoids(users, post_factory, frozen_clock):
    """Another author's unpublished posts are invisible to an author; public ones and their
    own are not. An editor sees every post."""
    author, other = users["author"], users["other_author"]
    post_factory(other, title="Hidden", slug="hidden")
    post_factory(
        other,
        title="Soon",
        slug="soon",
        status=PostStatus.PUBLISHED,
        published_at=frozen_clock.now + timedelta(hours=1),
    )
    post_factory(other, title="Public", slug="public", status=PostStatus.PUBLISHED)
    post_factory(author, title="Own", slug="own")

    assert unique_slug_from("Hidden", seen_by=author) == "hidden"
    assert unique_slug_from("Soon", seen_by=author) == "soon"
    assert unique_slug_from("Public", seen_by=author) == "public-2"
    assert unique_slug_from("Own", seen_by=author) == "own-2"
    for title in ("Hidden", "Soon", "Public", "Own"):
        assert unique_slug_from(title, seen_by=users["editor"]) == f"{title.lower()}-2"


def test_only_posts_with_a_public_address_hold_one(users, post_factory, frozen_clock):
    draft = post_factory(users["author"], title="Draft", slug="same")
    assert holder_of("same") is None
    review = post_factory(
        users["other_author"], title="Review", slug="same", status=PostStatus.REVIEW
    )
    assert holder_of("same") is None
    scheduled = post_factory(
        users["other_author"],
        title="Scheduled",
        slug="same",
        status=PostStatus.PUBLISHED,
        published_at=frozen_clock.now + timedelta(days=1),
    )
    assert holder_of("same") == Holder(scheduled, as_old_address=False)
    assert holder_of("same", exclude_post_id=scheduled.id) is None
    # Whoever can see it: an author sees neither another's scheduled post nor a holder at all.
    assert holder_of("same", draft.id, seen_by=users["author"]) is None
    assert holder_of("same", review.id, seen_by=users["other_author"]).post is scheduled
    assert holder_of("same", draft.id, seen_by=users["editor"]).post is scheduled
