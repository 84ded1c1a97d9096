"""Tokens are nothing readers see: making, using and revoking one leaves the public pages
in the page cache (a token in use every second would otherwise empty it every minute)."""

from __future__ import annotations

import pytest

from cms.extensions import db
from cms.posts.models import PostStatus
from cms.tokens import service as tokens
from tests.factories import PostFactory, UserFactory
from tests.public.caching_sites import build, cached, in_memory, on_one_connection, read


@pytest.fixture
def site(make_app, app, database_url, tmp_path):
    """An app with the page cache on; the test runs in its context, on the test's connection."""
    [site] = build(make_app, in_memory(database_url, tmp_path / "version"))
    with on_one_connection(site):
        yield site


def test_tokens_leave_the_cached_pages_cached(site, frozen_clock):
    author = UserFactory(roles=["author"])
    PostFactory(author, title="On the record", status=PostStatus.PUBLISHED)
    reader = site.test_client()
    cached(site, reader, "/")

    token, raw = tokens.create(author, "ci", by=author)
    db.session.commit()
    assert tokens.authenticate(raw) == author  # writes the last use, and commits
    tokens.revoke(token, by=author)
    db.session.commit()

    assert read(site, reader, "/").statements == 0
