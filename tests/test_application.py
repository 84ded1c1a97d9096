"""The app's Flask class: absolute links in the configured scheme, not the request's."""

from __future__ import annotations

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
