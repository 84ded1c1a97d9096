"""Every role against every editorial endpoint of the API, with the exact status.

Each role holds a token of its own (anonymous: none). "own" is a draft by the acting user
(for those who cannot write, the author's), "own published" the same user's published
post, "other" a draft by another author, "other trashed" another author's post in the
trash; "tag" is Alpha, merged into Beta by "tag merge". A refusal (anything but 2xx)
must leave every post, tag and the audit log exactly as they were; a write that succeeds
must change them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.api.editorial import bearer, database_state

ROLES = ("anonymous", "norole", "author", "editor", "admin")
POSTS = "/api/v1/editorial/posts"
TAGS = "/api/v1/editorial/tags"


@dataclass(frozen=True)
class Target:
    method: str
    url: str  # may name {own}, {own_published}, {other}, {other_trashed}
    body: dict | None = None  # "{version}" stands for the post's version


def _step(name: str, **extra) -> dict:
    return {"step": name, "version": "{version}", **extra}


TARGETS = {
    "list": Target("GET", POSTS),
    "trash list": Target("GET", f"{POSTS}?trashed=true"),
    "create": Target("POST", POSTS, {"title": "New"}),
    "get own": Target("GET", f"{POSTS}/{{own}}"),
    "get other": Target("GET", f"{POSTS}/{{other}}"),
    "update own": Target("PATCH", f"{POSTS}/{{own}}", {"title": "Changed", "version": "{version}"}),
    "update other": Target(
        "PATCH", f"{POSTS}/{{other}}", {"title": "Changed", "version": "{version}"}
    ),
    "update own published": Target(
        "PATCH", f"{POSTS}/{{own_published}}", {"title": "Changed", "version": "{version}"}
    ),
    "delete own": Target("DELETE", f"{POSTS}/{{own}}"),
    "delete other": Target("DELETE", f"{POSTS}/{{other}}"),
    "delete own published": Target("DELETE", f"{POSTS}/{{own_published}}"),
    "restore other": Target("POST", f"{POSTS}/{{other_trashed}}/restore"),
    "submit own": Target("POST", f"{POSTS}/{{own}}/transitions", _step("submit")),
    "submit other": Target("POST", f"{POSTS}/{{other}}/transitions", _step("submit")),
    "publish own": Target("POST", f"{POSTS}/{{own}}/transitions", _step("publish")),
    "publish other": Target("POST", f"{POSTS}/{{other}}/transitions", _step("publish")),
    "unpublish own published": Target(
        "POST", f"{POSTS}/{{own_published}}/transitions", _step("unpublish")
    ),
    "tag create": Target("POST", TAGS, {"name": "Gamma"}),
    "tag rename": Target("PATCH", f"{TAGS}/alpha", {"name": "Alpha 2"}),
    "tag merge": Target("POST", f"{TAGS}/alpha/merge", {"into": "beta"}),
    "tag delete": Target("DELETE", f"{TAGS}/alpha"),
}

# One column per role, in the order of ROLES.
EXPECTED = {
    "list":                    (401, 200, 200, 200, 200),
    "trash list":              (401, 200, 200, 200, 200),
    "create":                  (401, 403, 201, 201, 201),
    "get own":                 (401, 404, 200, 200, 200),
    "get other":               (401, 404, 404, 200, 200),
    "update own":              (401, 404, 200, 200, 200),
    "update other":            (401, 404, 404, 200, 200),
    "update own published":    (401, 404, 403, 200, 200),
    "delete own":              (401, 404, 204, 204, 204),
    "delete other":            (401, 404, 404, 204, 204),
    "delete own published":    (401, 404, 403, 204, 204),
    "restore other":           (401, 404, 404, 200, 200),
    "submit own":              (401, 404, 200, 200, 200),
    "submit other":            (401, 404, 404, 200, 200),
    "publish own":             (401, 404, 403, 200, 200),
    "publish other":           (401, 404, 404, 200, 200),
    "unpublish own published": (401, 404, 403, 200, 200),
    "tag create":              (401, 403, 201, 201, 201),  # TAGS_AUTHORS_MAY_CREATE is on
    "tag rename":              (401, 403, 403, 200, 200),
    "tag merge":               (401, 403, 403, 200, 200),
    "tag delete":              (401, 403, 403, 204, 204),
}  # fmt: skip

CASES = [
    pytest.param(role, target, status, id=f"{role}-{target.replace(' ', '_')}")
    for target, statuses in EXPECTED.items()
    for role, status in zip(ROLES, statuses, strict=True)
]


def test_every_target_has_expectations():
    assert set(EXPECTED) == set(TARGETS)


@pytest.fixture
def scene(users, post_factory, tag):
    def posts_of(role: str) -> dict[str, int]:
        writer = users[role] if role in ("author", "editor", "admin") else users["author"]
        own = post_factory(writer, title="Own draft")
        published = post_factory(writer, title="Own live", status=PostStatus.PUBLISHED)
        other = post_factory(users["other_author"], title="Other draft")
        trashed = post_factory(users["other_author"], title="Other trashed")
        trashed.deleted_at = clock.utcnow()
        db.session.commit()
        return {
            "own": own.id,
            "own_published": published.id,
            "other": other.id,
            "other_trashed": trashed.id,
        }

    tag("Alpha")
    tag("Beta")
    return posts_of


def _request(client, headers: dict, ids: dict, target: Target):
    url = target.url.format(**ids)
    body = None
    if target.body is not None:
        post_id = next((ids[name] for name in ids if f"{{{name}}}" in target.url), None)
        version = db.session.get(Post, post_id).version if post_id is not None else None
        body = {k: (version if v == "{version}" else v) for k, v in target.body.items()}
    return client.open(url, method=target.method, json=body, headers=headers)


@pytest.mark.parametrize(("role", "target", "expected"), CASES)
def test_access(client, users, scene, role, target, expected):
    ids = scene(role)
    spec = TARGETS[target]
    # Made before the snapshot: making a token is in the audit log too.
    headers = bearer(users[role]) if role != "anonymous" else {}
    before = database_state()
    response = _request(client, headers, ids, spec)
    assert response.status_code == expected, response.get_data(as_text=True)
    if expected >= 300:
        assert response.mimetype == "application/problem+json"
        assert database_state() == before
    elif spec.method != "GET":
        assert database_state() != before
    else:
        assert database_state() == before
