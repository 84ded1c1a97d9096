"""A slug held by a post the author cannot see is never revealed to them: saving a post
gives the same answer, and the same slug, whether or not another author's draft, post in
review or scheduled post has it. An address is checked when a post goes live, by editors,
who see every post; the public site finds the one live post at an address."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest

from cms import clock
from cms.extensions import db
from cms.posts import slugs
from cms.posts.models import Post, PostStatus
from tests.client import flashed, hidden_fields_in, without_nonce

_ROW = re.compile(r'name="rowid" class="action-checkbox" value="([^"]+)"')

#: How another author's post may hold the slug "secret-plan": None is nobody.
HOLDERS = [None, "draft", "review", "scheduled", "published-in-trash"]


def _hold(post_factory, other_author, state: str | None, slug: str = "secret-plan") -> None:
    if state is None:
        return
    fields: dict = {"title": "Their secret plan", "slug": slug}
    if state == "review":
        fields["status"] = PostStatus.REVIEW
    elif state == "scheduled":
        fields.update(status=PostStatus.PUBLISHED, published_at=clock.utcnow() + timedelta(days=3))
    elif state == "published-in-trash":
        fields.update(status=PostStatus.PUBLISHED, deleted_at=clock.utcnow())
    post_factory(other_author, **fields)


def _newest() -> Post:
    db.session.expire_all()
    return db.session.scalars(db.select(Post).order_by(Post.id.desc())).first()


def _what_the_author_sees(client, url: str, fields: dict) -> tuple:
    """Everything the author can observe of a save: the answer, where it leads, what it
    says, and the address their post got."""
    response = client.submit(url, {"summary": "", "body": "My words.", **fields})
    page = client.get(response.location) if response.status_code == 302 else response
    text = re.sub(r'name="csrf_token"[^>]*>', "", without_nonce(page.get_data(as_text=True)))
    text = re.sub(r"\d+", "0", text)  # ids and times, which differ from save to save
    return response.status_code, flashed(page), _newest().slug, text


@pytest.mark.parametrize("holder", HOLDERS)
@pytest.mark.parametrize("typed_slug", ["secret-plan", ""], ids=["typed", "from-title"])
def test_an_author_cannot_tell_whether_a_post_they_cannot_see_holds_a_slug(
    client, users, post_factory, holder, typed_slug
):
    _hold(post_factory, users["other_author"], holder)
    client.login(users["author"].email)

    status, messages, slug, page = _what_the_author_sees(
        client, "/admin/posts/new/", {"title": "Secret plan", "slug": typed_slug}
    )

    assert (status, messages, slug) == (302, ["Record was successfully created."], "secret-plan")
    assert "Their secret plan" not in page
    assert "already" not in page.lower()


@pytest.mark.parametrize("holder", HOLDERS[1:])
def test_the_whole_answer_is_the_same_as_when_nobody_holds_the_slug(
    app, users, post_factory, holder
):
    """Compared page for page with the same save while nobody holds the slug."""
    seen = {}
    for case in (None, holder):
        client = app.test_client()
        client.login(users["author"].email)
        mine = post_factory(users["author"], title="Mine", slug=f"mine-{case}")
        _hold(post_factory, users["other_author"], case)
        seen[case] = _what_the_author_sees(
            client, f"/admin/posts/edit/?id={mine.id}", {"title": "Mine", "slug": "secret-plan"}
        )
        db.session.delete(mine)
        db.session.execute(db.delete(Post).where(Post.slug == "secret-plan"))
        db.session.commit()
    assert seen[holder] == seen[None]
    assert seen[holder][2] == "secret-plan"


def test_an_author_is_told_of_an_address_readers_already_see(client, users, post_factory):
    """A published post's address is public: saying so reveals nothing."""
    post_factory(
        users["other_author"], title="Out there", slug="out-there", status=PostStatus.PUBLISHED
    )
    client.login(users["author"].email)
    response = client.submit(
        "/admin/posts/new/", {"title": "Mine", "slug": "out-there", "summary": "", "body": ""}
    )
    assert response.status_code == 200
    assert "The address /posts/out-there belongs to “Out there” (published)." in html.unescape(
        response.get_data(as_text=True)
    )
    # Made from the title, the slug steps around it.
    client.submit(
        "/admin/posts/new/", {"title": "Out there", "slug": "", "summary": "", "body": ""}
    )
    assert _newest().slug == "out-there-2"


def _publish(client, post: Post) -> list[str]:
    opened = hidden_fields_in(client.get(f"/admin/posts/edit/?id={post.id}").get_data(as_text=True))
    response = client.post(
        "/admin/posts/transition/", data={**opened, "id": post.id, "transition": "publish"}
    )
    assert response.status_code == 302
    return flashed(client.get(response.location))


@pytest.mark.parametrize(
    ("holder", "says"),
    [
        ("published", "belongs to “Their secret plan” (published)."),
        ("scheduled", "belongs to “Their secret plan” (scheduled)."),
        ("published-in-trash", "belongs to “Their secret plan” (in trash)."),
    ],
)
def test_an_editor_publishing_a_post_whose_address_is_held_is_told_whose(
    client, users, post_factory, holder, says
):
    if holder == "published":
        post_factory(
            users["other_author"],
            title="Their secret plan",
            slug="secret-plan",
            status=PostStatus.PUBLISHED,
        )
    else:
        _hold(post_factory, users["other_author"], holder)
    mine = post_factory(
        users["author"], title="Secret plan", slug="secret-plan", status=PostStatus.REVIEW
    )
    client.login(users["editor"].email)

    messages = _publish(client, mine)

    assert (
        f"The address /posts/secret-plan {says} “Publish now” was not done: give this post "
        "another address first."
    ) in messages
    db.session.expire_all()
    assert db.session.get(Post, mine.id).status is PostStatus.REVIEW


def test_an_editor_cannot_publish_at_another_posts_old_address(client, users, post_factory):
    moved = post_factory(
        users["other_author"], title="Moved", slug="first", status=PostStatus.PUBLISHED
    )
    moved.slug = "second"
    slugs.remember_old_slug(moved, "first")
    db.session.commit()
    squatter = post_factory(users["author"], title="Squatter", slug="first")
    client.login(users["editor"].email)

    messages = _publish(client, squatter)

    assert any("/posts/first is an old address of “Moved” (published)" in m for m in messages)
    assert client.get("/posts/first").location == "/posts/second"


def test_after_a_new_address_the_editor_publishes_it(client, users, post_factory):
    _hold(post_factory, users["other_author"], "scheduled")
    mine = post_factory(
        users["author"], title="Secret plan", slug="secret-plan", status=PostStatus.REVIEW
    )
    client.login(users["editor"].email)
    _publish(client, mine)
    response = client.submit(
        f"/admin/posts/edit/?id={mine.id}",
        {
            "title": "Secret plan",
            "slug": "secret-plan-today",
            "summary": "",
            "body": "Now.",
            "author": mine.author_id,
        },
    )
    assert response.status_code == 302
    assert "The post is now published." in _publish(client, mine)
    assert "Now." in client.get("/posts/secret-plan-today").get_data(as_text=True)


def test_bulk_publish_of_two_posts_at_one_address_publishes_one(client, users, post_factory):
    first = post_factory(users["author"], title="Twin", slug="twin", status=PostStatus.REVIEW)
    second = post_factory(
        users["other_author"], title="Twin", slug="twin", status=PostStatus.REVIEW
    )
    client.login(users["editor"].email)
    rows = _ROW.findall(client.get("/admin/posts/").get_data(as_text=True))

    response = client.post_with_token("/admin/posts/action/", {"action": "publish", "rowid": rows})

    messages = flashed(client.get(response.location))
    assert "1 post published." in messages
    assert (
        "1 post left as it was: the address is another post's (open the post to see whose)."
        in messages
    )
    db.session.expire_all()
    statuses = {db.session.get(Post, p.id).status for p in (first, second)}
    assert statuses == {PostStatus.PUBLISHED, PostStatus.REVIEW}


def test_an_editor_editing_a_live_post_cannot_take_a_held_address(client, users, post_factory):
    _hold(post_factory, users["other_author"], "scheduled")
    live = post_factory(users["author"], title="Live", slug="live", status=PostStatus.PUBLISHED)
    client.login(users["editor"].email)
    response = client.submit(
        f"/admin/posts/edit/?id={live.id}",
        {
            "title": "Live",
            "slug": "secret-plan",
            "summary": "",
            "body": "",
            "author": live.author_id,
        },
    )
    assert response.status_code == 200
    assert "The address /posts/secret-plan belongs to “Their secret plan” (scheduled)." in (
        html.unescape(response.get_data(as_text=True))
    )
    db.session.expire_all()
    assert db.session.get(Post, live.id).slug == "live"


def test_the_public_site_finds_the_one_live_post_at_an_address(
    client, users, post_factory, frozen_clock
):
    post_factory(users["author"], title="A draft", slug="news", body="Draft words.")
    post_factory(
        users["author"],
        title="Scheduled",
        slug="news",
        body="Scheduled words.",
        status=PostStatus.PUBLISHED,
        published_at=frozen_clock.now + timedelta(hours=1),
    )
    post_factory(
        users["other_author"],
        title="In review",
        slug="news",
        body="Review words.",
        status=PostStatus.REVIEW,
    )
    assert client.get("/posts/news").status_code == 404

    frozen_clock(frozen_clock.now + timedelta(hours=2))
    page = client.get("/posts/news").get_data(as_text=True)
    assert "Scheduled words." in page
    assert "Draft words." not in page and "Review words." not in page


def test_an_old_address_still_redirects_while_a_draft_has_that_slug(client, users, post_factory):
    moved = post_factory(users["editor"], title="Moved", slug="first", status=PostStatus.PUBLISHED)
    moved.slug = "second"
    slugs.remember_old_slug(moved, "first")
    db.session.commit()
    post_factory(users["other_author"], title="A draft", slug="first")

    assert client.get("/posts/first").location == "/posts/second"
    assert client.get("/posts/second").status_code == 200


def test_two_posts_going_live_at_one_address_at_the_same_moment(
    client, users, post_factory, monkeypatch
):
    """The check passes for both; the database's unique index refuses the second."""
    theirs = post_factory(
        users["other_author"], title="Theirs", slug="race", status=PostStatus.REVIEW
    )
    mine = post_factory(users["author"], title="Mine", slug="race", status=PostStatus.REVIEW)
    client.login(users["editor"].email)
    opened = hidden_fields_in(client.get(f"/admin/posts/edit/?id={mine.id}").get_data(as_text=True))
    # The other editor's publish lands between this request's check and its commit.
    monkeypatch.setattr(slugs, "holder_of", lambda *args, **kwargs: None)
    theirs.status, theirs.published_at = PostStatus.PUBLISHED, clock.utcnow()
    db.session.commit()

    response = client.post(
        "/admin/posts/transition/", data={**opened, "id": mine.id, "transition": "publish"}
    )

    assert response.status_code == 302
    assert "Another post took this address at the same moment; nothing was done." in flashed(
        client.get(response.location)
    )
    db.session.expire_all()
    assert db.session.get(Post, mine.id).status is PostStatus.REVIEW


@pytest.mark.parametrize("with_a_later_post", [False, True], ids=["alone", "with a later post"])
def test_a_bulk_publish_losing_the_address_race_does_nothing_and_says_why(
    client, users, post_factory, monkeypatch, with_a_later_post
):
    """The unique index refuses at the commit, or (with a later post selected) at the flush
    of the workflow's own-address check for that post."""
    theirs = post_factory(
        users["other_author"], title="Theirs", slug="race", status=PostStatus.REVIEW
    )
    mine = post_factory(users["author"], title="Mine", slug="race", status=PostStatus.REVIEW)
    selected = [mine]
    if with_a_later_post:
        selected.append(
            post_factory(users["author"], title="Later", slug="later", status=PostStatus.REVIEW)
        )
    client.login(users["editor"].email)
    rows = [f"{post.id}:{post.version}" for post in selected]
    # The other editor's publish lands between this request's check and its commit.
    monkeypatch.setattr(slugs, "holder_of", lambda *args, **kwargs: None)
    theirs.status, theirs.published_at = PostStatus.PUBLISHED, clock.utcnow()
    db.session.commit()

    response = client.post_with_token("/admin/posts/action/", {"action": "publish", "rowid": rows})

    assert response.status_code == 302
    assert (
        "Another post took the address of a selected post at the same moment; nothing was done."
        in flashed(client.get(response.location))
    )
    db.session.expire_all()
    assert {db.session.get(Post, post.id).status for post in selected} == {PostStatus.REVIEW}
