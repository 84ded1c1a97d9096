"""Return addresses (``url`` in the dashboard, ``next`` on login) never lead off the site.

Over HTTPS, Flask-Admin's own check took ``https:evil.example`` for a relative path, and
browsers read that as ``https://evil.example/``.
"""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import pytest

from cms.request_checks import is_local_path
from tests.factories import PASSWORD

HTTPS = "https://localhost"
# Flask-WTF checks the Referer of HTTPS form posts, as a browser sends it.
OVER_HTTPS = {"base_url": HTTPS, "headers": {"Referer": f"{HTTPS}/admin/"}}
OFFSITE = [
    "https:evil.example",
    "http:evil.example",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
]


def _sent_off_site(response) -> bool:
    """Whether a browser would leave the site following this answer's Location."""
    location = response.headers.get("Location")
    if location is None:
        return False
    # Browsers drop whitespace and read a backslash as a slash.
    location = "".join(location.split()).replace("\\", "/")
    parts = urlsplit(location)
    if parts.scheme and not parts.netloc:
        return True  # "https:evil.example", "javascript:...": a host or a script to a browser
    return urlsplit(urljoin(f"{HTTPS}/", location)).netloc != "localhost"


def _refused(response) -> None:
    assert not _sent_off_site(response), response.headers["Location"]
    assert response.status_code == 400


@pytest.mark.parametrize("target", OFFSITE)
@pytest.mark.parametrize(
    "path",
    [
        "/admin/trash/new/",  # no create here: Flask-Admin redirects at once
        "/admin/trash/edit/?id=1",
        "/admin/audit/new/",
        "/admin/roles/new/",
        "/admin/users/export/csv/",
        "/admin/posts/export/csv/",
        "/admin/posts/details/?id=999",
    ],
)
def test_a_dashboard_link_never_sends_staff_off_site(client, users, path, target):
    client.login(users["admin"].email)
    separator = "&" if "?" in path else "?"
    response = client.get(f"{path}{separator}url={quote(target)}", **OVER_HTTPS)
    _refused(response)


@pytest.mark.parametrize("target", ["https:evil.example", "//evil.example"])
def test_saving_a_post_never_sends_the_editor_off_site(client, users, post_factory, target):
    post = post_factory(users["author"], title="Kept")
    client.login(users["editor"].email)
    form = f"/admin/posts/edit/?id={post.id}"
    response = client.submit(
        f"{form}&url={quote(target)}",
        {"title": "Kept", "body": "x", "author": str(post.author_id)},
        form_url=form,
        **OVER_HTTPS,
    )
    _refused(response)


@pytest.mark.parametrize("target", ["https:evil.example", "/\\evil.example"])
def test_our_own_post_views_never_send_staff_off_site(client, users, post_factory, target):
    post = post_factory(users["author"], title="Doomed")
    client.login(users["admin"].email)
    for path, data in [
        ("/admin/posts/delete/", {"id": str(post.id)}),
        ("/admin/posts/action/", {"action": "delete", "rowid": str(post.id)}),
        ("/admin/trash/action/", {"action": "restore", "rowid": str(post.id)}),
        ("/admin/trash/delete/", {"id": str(post.id)}),
    ]:
        response = client.post_with_token(f"{path}?url={quote(target)}", data, **OVER_HTTPS)
        _refused(response)
        response = client.post_with_token(path, {**data, "url": target}, **OVER_HTTPS)
        _refused(response)


@pytest.mark.parametrize("target", [*OFFSITE, "javascript:alert(document.cookie)"])
def test_login_never_sends_anyone_off_site(client, users, target):
    page = client.get(f"/login?next={quote(target)}", **OVER_HTTPS)
    assert not _sent_off_site(page)
    response = client.post(
        f"/login?next={quote(target)}",
        data={
            "email": users["editor"].email,
            "password": PASSWORD,
            "next": target,
            "csrf_token": client.token(),
        },
        **OVER_HTTPS,
    )
    assert not _sent_off_site(response)
    assert response.status_code in (200, 302, 400)  # Flask-Security re-shows the form


def test_a_relative_return_address_is_still_followed(client, users, post_factory):
    post = post_factory(users["author"], title="Filtered")
    client.login(users["editor"].email)
    back = "/admin/posts/?search=Filtered&sort=1&desc=1"
    edit = f"/admin/posts/edit/?id={post.id}&url={quote(back)}"
    response = client.submit(
        edit, {"title": "Filtered", "body": "Kept", "author": str(post.author_id)}, **OVER_HTTPS
    )
    assert response.status_code == 302
    assert response.headers["Location"] == back


def test_login_follows_a_relative_next(client, users):
    back = "/admin/posts/?search=x"
    response = client.submit(
        f"/login?next={quote(back)}",
        {"email": users["editor"].email, "password": PASSWORD},
    )
    assert response.headers["Location"] == back


def test_an_absolute_link_to_this_site_is_still_followed(make_app):
    """Behind a proxy that ends TLS the app sees http but links say https: Flask-Security
    then sends a visitor to login with an absolute ``next`` to this same host."""
    app = make_app({"PREFERRED_URL_SCHEME": "https", "SERVER_NAME": "cms.example.com"})
    client = app.test_client()
    to_login = client.get("/change", base_url="http://cms.example.com")
    assert to_login.headers["Location"] == "/login?next=http://cms.example.com/change"
    assert (
        client.get(to_login.headers["Location"], base_url="http://cms.example.com").status_code
        == 200
    )
    elsewhere = client.get(
        "/login?next=http://evil.example/change", base_url="http://cms.example.com"
    )
    assert elsewhere.status_code == 400


@pytest.mark.parametrize(
    ("target", "local"),
    [
        ("/admin/posts/?flt1_0=draft", True),
        ("/", True),
        ("https:evil.example", False),
        ("/\\evil.example", False),
        ("/%09/evil.example", True),  # still encoded: a path segment, not a host
        ("admin/posts/", False),
    ],
)
def test_what_counts_as_a_local_path(target, local):
    assert is_local_path(target) is local
