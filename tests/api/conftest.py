"""Fixtures of the API's tests: the readers' pages' (published posts at a fixed "now", an
app with the page cache on), and tags."""

from __future__ import annotations

import pytest

from cms.extensions import db
from cms.tags import service as tags
from tests.public.conftest import make_site, publish, site  # noqa: F401 - shared fixtures


@pytest.fixture
def tag(users):
    def make(name: str):
        made = tags.create_tag(users["editor"], name)
        db.session.commit()
        return made

    return make
