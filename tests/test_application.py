"""The app's Flask class: absolute links in the configured scheme, not the request's."""

from __future__ import annotations

from flask import url_for

from cms import application
from cms.posts.models import PostStatus


def test_absolute_links_use_the_preferred_scheme_behind_a_tls_proxy(
    app, client, users, post_factory, frozen_clock, monkeypatch
):
    """A proxy that ends TLS forwards plain http; links handed out must still be https."""
    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    monkeypatch.setitem(app.config, "SERVER_NAME", "cms.example.com")
    post = post_factory(users["author"], title="Hello", status=PostStatus.PUBLISHED)

    page = client.get(f"/posts/{post.slug}", base_url="http://cms.example.com")

    assert page.status_code == 200
    assert f'rel="canonical" href="https://cms.example.com/posts/{post.slug}"' in page.text


def test_addresses_kept_between_requests_follow_each_requests_root_host_and_settings(
    app, monkeypatch
):
    """The app keeps the addresses it builds (cms.application): one kept for one request
    must never be handed to another that would build it otherwise."""

    def index(base_url: str, **values) -> str:
        with app.test_request_context("/", base_url=base_url):
            return url_for("public.index", **values)

    def external(base_url: str) -> str:
        with app.test_request_context("/", base_url=base_url):
            return url_for("public.tag_detail", slug="a", _external=True)

    for _ in range(2):  # the second time from the store
        assert index("http://a.test/") == "/"
        assert index("http://a.test/blog/") == "/blog/"
        assert index("http://a.test/", before="x") == "/?before=x"
        assert external("http://a.test/") == "http://a.test/tags/a"
        assert external("http://b.test:8080/") == "http://b.test:8080/tags/a"
        assert external("https://a.test/") == "http://a.test/tags/a"  # the preferred scheme

    monkeypatch.setitem(app.config, "PREFERRED_URL_SCHEME", "https")
    assert external("http://a.test/") == "https://a.test/tags/a"
    monkeypatch.setitem(app.config, "SERVER_NAME", "cms.example.com")
    assert external("http://cms.example.com/") == "https://cms.example.com/tags/a"


def test_the_store_of_addresses_is_bounded(app, monkeypatch):
    """A client chooses the Host header: many hosts never grow the store past its bound."""
    monkeypatch.setattr(application, "_ADDRESSES_KEPT", 10)
    for number in range(25):
        with app.test_request_context("/", base_url=f"http://host{number}.test/"):
            assert url_for("public.index", _external=True) == f"http://host{number}.test/"
        assert len(app._addresses) <= 10
