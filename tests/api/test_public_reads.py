"""The public API as a program reading it meets it: only what readers may see, newest
first, paged by the site's cursor, filtered, searched, trimmed with ``fields=``; errors as
problem+json; unknown arguments refused."""

from __future__ import annotations

import pytest

from cms.posts.models import PostStatus
from tests.public.helpers import NOW, statements_for

PROBLEM = "application/problem+json"


@pytest.fixture
def hidden(publish, post_factory, users):
    """A draft, a post in review, a scheduled post and a trashed one: never in the API."""
    post_factory(users["author"], title="Draft", status=PostStatus.DRAFT)
    post_factory(users["author"], title="In review", status=PostStatus.REVIEW)
    publish("Scheduled", hours_ago=-2)
    publish("Trashed", hours_ago=3, deleted_at=NOW)


def titles(response) -> list[str]:
    return [post["title"] for post in response.json["posts"]]


def test_the_list_has_published_posts_only_newest_first(client, publish, hidden):
    publish("Older", hours_ago=5)
    publish("Newer", hours_ago=1)

    response = client.get("/api/v1/posts")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert titles(response) == ["Newer", "Older"]
    assert response.json["next"] is None and response.json["previous"] is None


def test_a_listed_post_has_absolute_links_its_author_and_tags(client, publish, tag, users):
    post = publish("Hello", tagged=[tag("Python")])

    [listed] = client.get("/api/v1/posts").json["posts"]

    assert listed["id"] == post.id
    assert listed["url"] == f"http://localhost/posts/{post.slug}"
    assert listed["api_url"] == f"http://localhost/api/v1/posts/{post.slug}"
    assert listed["author"]["url"] == f"http://localhost/authors/{users['author'].slug}"
    assert listed["tags"] == [
        {"name": "Python", "slug": "python", "url": "http://localhost/tags/python"}
    ]
    assert listed["published_at"].startswith("2026-01-15T11:00:00")


def test_pages_follow_the_sites_cursor_to_the_end(client, publish):
    for hours in range(1, 6):
        publish(f"Post {hours}", hours_ago=hours)

    first = client.get("/api/v1/posts?limit=2")
    second = client.get(first.json["next"])
    third = client.get(f"/api/v1/posts?limit=2&before={second.json['next_cursor']}")

    assert titles(first) == ["Post 1", "Post 2"]
    assert titles(second) == ["Post 3", "Post 4"]
    assert titles(third) == ["Post 5"]
    assert third.json["next"] is None
    assert client.get(third.json["previous"]).json["posts"] == second.json["posts"]
    # The same name as the site's own pages.
    site_page = client.get(f"/?before={first.json['next_cursor']}")
    assert site_page.status_code == 200 and "Post 3" in site_page.text


def test_a_cursor_past_the_last_post_is_an_empty_page(client, publish):
    publish("Only")
    response = client.get("/api/v1/posts?before=2000-01-01T00:00:00Z_1")
    assert response.status_code == 200
    assert response.json["posts"] == [] and response.json["next"] is None


def test_filters_by_tag_and_author_see_published_posts_only(client, publish, tag, users, hidden):
    python = tag("Python")
    publish("Mine, tagged", hours_ago=1, tagged=[python])
    publish("Mine", hours_ago=2)
    publish("Theirs, tagged", hours_ago=3, tagged=[python], author=users["other_author"])
    publish("Scheduled, tagged", hours_ago=-1, tagged=[python])
    mine = users["author"].slug

    assert titles(client.get("/api/v1/posts?tag=python")) == ["Mine, tagged", "Theirs, tagged"]
    assert titles(client.get(f"/api/v1/posts?author={mine}")) == ["Mine, tagged", "Mine"]
    assert titles(client.get(f"/api/v1/posts?tag=python&author={mine}")) == ["Mine, tagged"]
    assert titles(client.get("/api/v1/posts?tag=no-such-tag")) == []


def test_fields_keeps_only_the_fields_asked_for(client, publish):
    publish("Hello")
    [listed] = client.get("/api/v1/posts?fields=title,url").json["posts"]
    assert set(listed) == {"title", "url"}


def test_q_searches_published_posts_best_match_first(client, publish, hidden):
    publish("Gardening for beginners", body="Tomatoes and tomatoes.")
    publish("Cooking", body="A tomato soup.")
    publish("Sailing")
    response = client.get("/api/v1/posts?q=tomat")
    assert sorted(titles(response)) == ["Cooking", "Gardening for beginners"]
    assert titles(client.get("/api/v1/posts?q=Draft")) == []
    assert titles(client.get("/api/v1/posts?q=Scheduled")) == []


def test_one_post_has_its_markdown_and_its_sanitized_html(client, publish, hidden):
    post = publish("Hello", body="Some *words* <script>alert(1)</script>")

    response = client.get(f"/api/v1/posts/{post.slug}")

    assert response.status_code == 200
    assert response.json["body_markdown"] == "Some *words* <script>alert(1)</script>"
    assert "<em>words</em>" in response.json["body_html"]
    assert "<script" not in response.json["body_html"]


@pytest.mark.parametrize("title", ["Draft", "In review", "Scheduled", "Trashed"])
def test_a_post_readers_may_not_see_is_a_problem_404(client, hidden, title):
    from slugify import slugify

    response = client.get(f"/api/v1/posts/{slugify(title)}")
    assert response.status_code == 404
    assert response.content_type == PROBLEM
    assert response.json == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No published post has this slug.",
    }


def test_tags_have_their_published_counts(client, publish, tag, post_factory, users):
    python, drafts_only = tag("Python"), tag("Drafts only")
    publish("One", tagged=[python])
    publish("Two", tagged=[python])
    publish("Later", hours_ago=-1, tagged=[python, drafts_only])

    response = client.get("/api/v1/tags")

    assert response.json["tags"] == [
        {
            "name": "Python",
            "slug": "python",
            "published_posts": 2,
            "url": "http://localhost/tags/python",
            "posts_url": "http://localhost/api/v1/posts?tag=python",
        }
    ]


def test_an_author_with_a_published_post_and_one_without(client, publish, users):
    publish("Hello")
    author = users["author"]

    response = client.get(f"/api/v1/authors/{author.slug}")

    assert response.status_code == 200
    assert response.json["slug"] == author.slug
    assert response.json["posts_url"] == f"http://localhost/api/v1/posts?author={author.slug}"
    assert set(response.json) == {"name", "slug", "bio", "url", "posts_url"}
    nobody = client.get(f"/api/v1/authors/{users['editor'].slug}")
    assert nobody.status_code == 404 and nobody.content_type == PROBLEM


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/posts?sort=title", "sort"),
        ("/api/v1/posts?limit=0", "limit"),
        ("/api/v1/posts?limit=101", "limit"),
        ("/api/v1/posts?before=yesterday", "before"),
        ("/api/v1/posts?before=2026-01-15T11:00:00Z", "before"),
        ("/api/v1/posts?fields=title,password", "fields"),
        ("/api/v1/posts?q=x&before=2026-01-01T00:00:00Z_1", "before"),
        ("/api/v1/posts?page=2", "page"),
        ("/api/v1/tags?tag=x", "tag"),
        ("/api/v1/posts/hello?fields=title", "fields"),
    ],
)
def test_unknown_or_bad_query_arguments_are_a_422_naming_the_field(client, path, field):
    response = client.get(path)
    assert response.status_code == 422
    assert response.content_type == PROBLEM
    assert response.json["status"] == 422
    assert field in response.json["errors"]["query"]


def test_unknown_addresses_and_methods_are_problems_the_site_keeps_html(client):
    missing = client.get("/api/v1/nothing")
    assert missing.status_code == 404 and missing.content_type == PROBLEM

    wrong_method = client.delete("/api/v1/tags")
    assert wrong_method.status_code == 405 and wrong_method.content_type == PROBLEM
    assert set(wrong_method.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}

    nul = client.get("/api/v1/posts/a%00b")
    assert nul.status_code == 400 and nul.content_type == PROBLEM

    page = client.get("/nothing")
    assert page.status_code == 404 and page.content_type.startswith("text/html")


def test_a_server_error_is_a_problem_500(app, client, monkeypatch):
    from cms.posts import publication

    def broken(slug, **options):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(publication, "find_published", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.get("/api/v1/posts/anything")
    assert response.status_code == 500
    assert response.content_type == PROBLEM
    assert "fell over" not in response.text


def test_a_session_cookie_does_not_sign_in_on_the_api(client, users, publish):
    publish("Hello")
    client.login(users["admin"].email)
    signed_in = client.get("/api/v1/posts")
    assert "Set-Cookie" not in signed_in.headers
    # Served as to anyone: the shared cache's public headers, not a signed-in page's.
    assert signed_in.headers["Cache-Control"].startswith("public")


def test_a_cursor_of_the_right_shape_naming_no_moment_is_an_empty_page(client, publish):
    publish("Only")
    response = client.get("/api/v1/posts?before=2026-02-30T00:00:00Z_1")
    assert response.status_code == 200 and response.json["posts"] == []


def test_q_with_tag_and_author_searches_their_published_posts_only(client, publish, tag, users):
    python, rust = tag("Python"), tag("Rust")
    publish("Tomatoes in Python", hours_ago=1, tagged=[python])
    publish("Tomatoes in Rust", hours_ago=2, tagged=[rust])
    publish("Tomatoes, theirs", hours_ago=3, tagged=[python], author=users["other_author"])
    publish("Tomatoes, untagged", hours_ago=4)
    publish("Tomatoes, scheduled", hours_ago=-1, tagged=[python])
    mine, theirs = users["author"].slug, users["other_author"].slug

    by_tag = client.get("/api/v1/posts?q=tomato&tag=python")
    by_author = client.get(f"/api/v1/posts?q=tomato&author={theirs}")
    by_both = client.get(f"/api/v1/posts?q=tomato&tag=python&author={mine}")

    assert sorted(titles(by_tag)) == ["Tomatoes in Python", "Tomatoes, theirs"]
    assert titles(by_author) == ["Tomatoes, theirs"]
    assert titles(by_both) == ["Tomatoes in Python"]
    assert titles(client.get("/api/v1/posts?q=tomato&tag=no-such-tag")) == []
    assert titles(client.get(f"/api/v1/posts?q=rust&tag=python&author={mine}")) == []


def test_a_narrowed_search_pages_keep_the_tag_and_author(client, publish, tag):
    python = tag("Python")
    for number in range(3):
        publish(f"Tomato {number}", hours_ago=number + 1, tagged=[python])
    publish("Tomato, untagged")

    first = client.get("/api/v1/posts?q=tomato&tag=python&limit=2")
    second = client.get(first.json["next"])

    assert "tag=python" in first.json["next"] and "page=2" in first.json["next"]
    assert sorted(titles(first) + titles(second)) == ["Tomato 0", "Tomato 1", "Tomato 2"]
    assert second.json["next"] is None


def test_search_results_link_no_page_past_the_last_one_allowed(client, publish):
    from cms.public.search_page import MAX_PAGES

    for number in range(MAX_PAGES + 1):
        publish(f"Tomato {number}", hours_ago=number + 1)

    last = client.get(f"/api/v1/posts?q=tomato&limit=1&page={MAX_PAGES}")

    assert last.status_code == 200 and len(titles(last)) == 1
    assert last.json["next"] is None  # page 11 would be refused (422)
    assert client.get(last.json["previous"]).status_code == 200


def test_one_post_costs_two_statements_its_markdown_read_with_it(app, client, publish, tag):
    post = publish("Hello", body="Some *words*", tagged=[tag("Python")])

    statements = statements_for(app, client, f"/api/v1/posts/{post.slug}")

    assert len(statements) == 2  # the post with its author and Markdown; its tags
    assert client.get(f"/api/v1/posts/{post.slug}").json["body_markdown"] == "Some *words*"
