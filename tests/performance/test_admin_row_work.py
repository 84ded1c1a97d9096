"""Work per row in the admin's lists: the URLs of a page are built as often for 20 rows as
for 2 (each row's links come from ones built once per page, ``cms.admin.rows``), as the
statements are counted in ``test_admin_query_counts``."""

from __future__ import annotations

import pytest

from cms.audit import service as audit
from cms.extensions import db
from tests.performance.seeding import seed_posts


@pytest.fixture
def count_urls(app, monkeypatch):
    """How many URLs a request builds (``url_for``, Flask-Admin's ``get_url`` included)."""
    built = []
    url_for = app.url_for

    def counted(*args, **kwargs):
        built.append(args[0])
        return url_for(*args, **kwargs)

    monkeypatch.setattr(app, "url_for", counted)

    def count(client, url: str) -> int:
        client.get(url)  # Flask-Admin builds its menu's URLs once, at the first page
        built.clear()
        assert client.get(url).status_code == 200
        return len(built)

    return count


def _entries(count: int) -> None:
    for number in range(count):
        audit.record("test.entry", target_label=f"entry {number}")
    db.session.commit()


@pytest.mark.parametrize("url", ["/admin/posts/", "/admin/trash/", "/admin/audit/"])
def test_a_list_builds_as_many_urls_for_20_rows_as_for_2(app, client, users, count_urls, url):
    authors = [users["author"], users["other_author"]]
    client.login(users["admin"].email)
    seed_posts(authors, 4, trashed_share=0.5)
    _entries(2)
    few = count_urls(client, url)
    seed_posts(authors, 60, seed=10, trashed_share=0.5)
    _entries(60)
    many = count_urls(client, url)
    assert many == few
