"""The URLs of Flask-Admin's own files, built once per app (``admin_static_url``): still
right for an app served under a prefix, and the same as Flask-Admin builds them."""

from __future__ import annotations

import re

from flask import url_for

_ADMIN_FILES = re.compile(r'(?:src|href)="([^"]*/admin/static/[^"]*)"')


def test_the_admin_files_are_linked_under_the_prefix_the_app_is_served_at(app, client, users):
    client.login(users["editor"].email)
    plain = client.get("/admin/posts/").get_data(as_text=True)
    prefixed = client.get("/admin/posts/", base_url="http://localhost/cms/").get_data(as_text=True)
    files = _ADMIN_FILES.findall(plain)
    assert len(files) > 10 and all(url.startswith("/admin/static/") for url in files)
    assert _ADMIN_FILES.findall(prefixed) == [f"/cms{url}" for url in files]
    with app.test_request_context():
        expected = url_for("admin.static", filename="admin/js/helpers.js", v="1.0.0")
    assert expected.replace("&", "&amp;") in files
