"""A program's round trip through the API against gunicorn, with a real HTTP client: an
author's token writes a draft and submits it, an editor's token publishes it, readers see
it in the public API and on the site, and a revoked token opens nothing."""

from __future__ import annotations

import requests

from cms.tokens import service as tokens
from tests.factories import UserFactory


def test_a_draft_written_submitted_and_published_through_tokens(live_server, arrange):
    author = UserFactory(roles=["author"], email="live-author@example.com")
    editor = UserFactory(roles=["editor"], email="live-editor@example.com")
    author_token, author_raw = tokens.create(author, "blog script", by=author)
    _, editor_raw = tokens.create(editor, "desk", by=editor)
    arrange.commit()
    api = f"{live_server.url}/api/v1"
    as_author = requests.Session()
    as_author.headers["Authorization"] = f"Bearer {author_raw}"
    as_editor = requests.Session()
    as_editor.headers["Authorization"] = f"Bearer {editor_raw}"

    created = as_author.post(
        f"{api}/editorial/posts", json={"title": "Live from a script", "body": "Hello *world*."}
    )
    assert created.status_code == 201, created.text
    post = created.json()
    assert created.headers["Location"] == post["api_url"]
    assert created.headers["Cache-Control"] == "private, no-store"
    assert int(created.headers["RateLimit-Remaining"]) >= 0

    submitted = as_author.post(
        f"{post['api_url']}/transitions", json={"step": "submit", "version": post["version"]}
    )
    assert submitted.status_code == 200 and submitted.json()["state"] == "review"
    refused = as_author.post(
        f"{post['api_url']}/transitions",
        json={"step": "publish", "version": submitted.json()["version"]},
    )
    assert refused.status_code == 403
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert (
        requests.get(f"{api}/posts/{post['slug']}", timeout=10).status_code == 404
    )  # not yet public

    published = as_editor.post(
        f"{post['api_url']}/transitions",
        json={"step": "publish", "version": submitted.json()["version"]},
    )
    assert published.status_code == 200, published.text

    public = requests.get(f"{api}/posts/{post['slug']}", timeout=10)
    assert public.status_code == 200 and public.json()["title"] == "Live from a script"
    page = requests.get(public.json()["url"], timeout=10)
    assert page.status_code == 200 and "Live from a script" in page.text

    tokens.revoke(arrange.merge(author_token), by=None)
    arrange.commit()
    revoked = as_author.get(f"{api}/editorial/posts")
    assert revoked.status_code == 401
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer")
