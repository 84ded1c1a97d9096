"""``/sitemap.xml`` and ``/robots.txt`` as a search engine reads them: every page readers
may see, with ``lastmod``, split into an index past ``SITEMAP_PAGE_SIZE`` addresses."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from cms.extensions import db
from cms.tags import service as tags
from tests.public.helpers import NOW, statements_for

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parsed(response, root: str) -> dict[str, str | None]:
    """{address: lastmod} of a urlset or a sitemap index."""
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    tree = ET.fromstring(response.get_data())  # noqa: S314 - the app's own answer
    assert tree.tag == f"{{{NS['s']}}}{root}"
    item = "s:url" if root == "urlset" else "s:sitemap"
    return {
        element.findtext("s:loc", namespaces=NS): element.findtext("s:lastmod", namespaces=NS)
        for element in tree.findall(item, NS)
    }


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


def test_the_sitemap_lists_every_page_readers_may_see(client, publish, post_factory, users):
    cooking = tags.create_tag(users["editor"], "Cooking")
    hidden = tags.create_tag(users["editor"], "Hidden")
    soup = publish("Soup", hours_ago=2)
    soup.tags = [cooking]
    bread = publish("Bread", hours_ago=5, updated_at=NOW - timedelta(hours=1))
    publish("Later", hours_ago=-1).tags = [hidden]
    post_factory(users["editor"], title="A draft")
    publish("Binned", hours_ago=3, deleted_at=NOW)
    db.session.commit()

    urls = parsed(client.get("/sitemap.xml"), "urlset")

    author = users["author"].slug
    assert sorted(map(path_of, urls)) == sorted(
        ["/", "/posts/soup", "/posts/bread", "/tags/cooking", f"/authors/{author}"]
    )
    assert urls["http://localhost/posts/soup"] == "2026-01-15T10:00:00+00:00"
    # An edit after publication is the post's last change.
    assert urls["http://localhost/posts/bread"] == "2026-01-15T11:00:00+00:00"
    assert urls["http://localhost/tags/cooking"] == "2026-01-15T10:00:00+00:00"
    assert urls[f"http://localhost/authors/{author}"] == "2026-01-15T11:00:00+00:00"
    assert urls["http://localhost/"] == "2026-01-15T11:00:00+00:00"
    assert soup.id and bread.id


def test_an_empty_site_has_the_home_page_only(client, frozen_clock):
    assert parsed(client.get("/sitemap.xml"), "urlset") == {"http://localhost/": None}


def test_past_the_page_size_the_sitemap_is_an_index_of_files(
    app, client, publish, monkeypatch, users
):
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 3)
    posts = [publish(f"Post {number}", hours_ago=number + 1) for number in range(7)]
    posts[1].deleted_at = NOW  # a hole in the ids: still no file above the size
    db.session.commit()

    index = parsed(client.get("/sitemap.xml"), "sitemapindex")

    files = list(index)
    assert files[0] == "http://localhost/sitemap-pages-1.xml"
    assert all(file.startswith("http://localhost/sitemap-posts-") for file in files[1:])
    listed: dict[str, str | None] = {}
    for file in files:
        urls = parsed(client.get(path_of(file)), "urlset")
        assert len(urls) <= 3
        # A file's lastmod is the latest of its addresses'.
        assert index[file] == max(value for value in urls.values() if value is not None)
        listed.update(urls)
    expected = {f"/posts/post-{number}" for number in range(7) if number != 1}
    assert set(map(path_of, listed)) == expected | {"/", f"/authors/{users['author'].slug}"}


def test_a_posts_file_past_the_last_is_not_found(app, client, publish, monkeypatch):
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 2)
    only = publish("Only")
    its_file = (only.id - 1) // 2 + 1
    assert client.get(f"/sitemap-posts-{its_file}.xml").status_code == 200
    assert client.get(f"/sitemap-posts-{its_file + 1}.xml").status_code == 404
    assert client.get("/sitemap-posts-0.xml").status_code == 404


@pytest.mark.parametrize("count", [12, 40])
def test_sitemap_files_cost_the_same_statements_whatever_the_number_of_posts(
    app, client, publish, monkeypatch, count
):
    for number in range(count):
        publish(f"Post {number}", hours_ago=number + 1)

    assert len(statements_for(app, client, "/sitemap.xml")) == 4  # blocks, tags, authors, posts
    # Room for the posts, not for the home and author pages too: an index, after reading them.
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", count + 1)
    assert len(statements_for(app, client, "/sitemap.xml")) == 3  # blocks, tags, authors
    # Past the size in posts, with fewer tags and accounts (6) than a file holds.
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 10)
    assert len(statements_for(app, client, "/sitemap.xml")) == 2  # blocks, tags and accounts
    first_posts_file = list(parsed(client.get("/sitemap.xml"), "sitemapindex"))[1]
    assert len(statements_for(app, client, path_of(first_posts_file))) == 1
    assert len(statements_for(app, client, "/sitemap-pages-1.xml")) == 2  # tags, authors
    # More tags and accounts than a file holds: which of them readers reach counts.
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 5)
    assert len(statements_for(app, client, "/sitemap.xml")) == 4


def pages_files(client) -> dict[str, dict[str, str | None]]:
    """{file: {address: lastmod}} of each ``/sitemap-pages-<n>.xml`` the index lists, in
    order; each checked a valid urlset whose lastmod in the index is its newest address's."""
    index = parsed(client.get("/sitemap.xml"), "sitemapindex")
    files = {}
    for file, lastmod in index.items():
        if file.startswith("http://localhost/sitemap-pages-"):
            urls = parsed(client.get(path_of(file)), "urlset")
            assert urls, f"{file} is an empty urlset"
            assert lastmod == max((value for value in urls.values() if value), default=None)
            files[path_of(file)] = urls
    return files


@pytest.mark.parametrize(
    ("tag_count", "expected_sizes"),
    [
        (1, [3]),  # home, a tag, an author: exactly a file
        (2, [3, 1]),  # one line more: a second file, of one line
        (4, [3, 3]),  # exactly two files
    ],
)
def test_past_the_page_size_the_home_tag_and_author_pages_are_split_into_files(
    app, client, publish, monkeypatch, users, tag_count, expected_sizes
):
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 3)
    names = [f"Tag {letter}" for letter in "abcd"[:tag_count]]
    for hours, name in enumerate(names, start=1):
        publish(f"Post {name}", hours_ago=hours, tagged=[tags.create_tag(users["editor"], name)])

    files = pages_files(client)

    assert [len(urls) for urls in files.values()] == expected_sizes
    assert list(files) == [f"/sitemap-pages-{n}.xml" for n in range(1, len(files) + 1)]
    lines = [path_of(url) for urls in files.values() for url in urls]
    tag_pages = [f"/tags/tag-{letter}" for letter in "abcd"[:tag_count]]
    assert lines == ["/", *tag_pages, f"/authors/{users['author'].slug}"]
    # The index lists every file there is, and no more.
    assert client.get(f"/sitemap-pages-{len(files) + 1}.xml").status_code == 404
    assert client.get("/sitemap-pages-0.xml").status_code == 404


@pytest.mark.parametrize(("size", "kind"), [(4, "urlset"), (3, "sitemapindex")])
def test_the_sitemap_is_one_file_up_to_the_page_size_exactly(
    app, client, publish, monkeypatch, users, size, kind
):
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", size)
    publish("Soup", tagged=[tags.create_tag(users["editor"], "Cooking")])  # 4 addresses

    assert parsed(client.get("/sitemap.xml"), kind)


def test_past_the_page_size_in_posts_alone_the_index_lists_one_pages_file(
    app, client, publish, monkeypatch, users
):
    monkeypatch.setitem(app.config, "SITEMAP_PAGE_SIZE", 10)  # 5 accounts, 1 tag: room
    cooking = tags.create_tag(users["editor"], "Cooking")
    publish("Soup", hours_ago=1, tagged=[cooking], author=users["other_author"])
    for number in range(11):
        publish(f"Post {number}", hours_ago=number + 2)

    files = pages_files(client)

    assert list(files) == ["/sitemap-pages-1.xml"]
    assert set(map(path_of, files["/sitemap-pages-1.xml"])) == {
        "/",
        "/tags/cooking",
        f"/authors/{users['author'].slug}",
        f"/authors/{users['other_author'].slug}",
    }
    assert client.get("/sitemap-pages-2.xml").status_code == 404


def test_a_site_with_nothing_published_still_has_its_first_pages_file(client, frozen_clock):
    assert parsed(client.get("/sitemap-pages-1.xml"), "urlset") == {"http://localhost/": None}
    assert client.get("/sitemap-pages-2.xml").status_code == 404


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out_of_private_pages(client):
    response = client.get("/robots.txt")

    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "User-agent: *"
    assert {"Disallow: /admin", "Disallow: /preview/", "Disallow: /search"} <= set(lines)
    assert "Sitemap: http://localhost/sitemap.xml" in lines
