"""Share links for previews: signed, expiring, revocable."""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, make_response, render_template
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from cms import clock
from cms.accounts.models import User
from cms.audit import service as audit
from cms.extensions import db
from cms.posts.models import Post, PreviewLink
from cms.posts.policy import Action, require
from cms.posts.rendering import render_markdown

_SALT = "cms.preview-link"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def create_link(post: Post, actor: User) -> tuple[PreviewLink, str]:
    """A new share link for ``post`` and its token (not committed)."""
    require(actor, Action.SHARE, post)
    hours = current_app.config["PREVIEW_LINK_HOURS"]
    link = PreviewLink(
        post=post,
        created_by=actor,
        expires_at=clock.utcnow() + timedelta(hours=hours),
    )
    db.session.add(link)
    db.session.flush()  # the id goes into the token
    audit.record("post.share", post, {"link": link.id, "expires_at": link.expires_at}, actor=actor)
    return link, token_for(link)


def preview_response(post: Post) -> Response:
    """``post`` exactly as readers will see it, marked as a preview and kept out of search
    engines and caches: for the dashboard's preview and for share links alike.

    Rendered from the body itself, not the stored HTML: a preview shows the text as it is
    now even for a row written around the ORM, and previews are few.
    """
    response = make_response(
        render_template(
            "public/post.html", post=post, body=render_markdown(post.body), preview=True
        )
    )
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


def token_for(link: PreviewLink) -> str:
    return _serializer().dumps({"link": link.id, "nonce": link.nonce})


def revoke(link: PreviewLink, actor: User) -> None:
    require(actor, Action.SHARE, link.post)
    if link.revoked_at is None:
        link.revoked_at = clock.utcnow()
        audit.record("post.unshare", link.post, {"link": link.id}, actor=actor)


def find_link(token: str) -> PreviewLink | None:
    """The link a token names, if the signature is ours; whether it still works is
    ``link.works_at(now)``."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("link"), int):
        return None
    link = db.session.get(PreviewLink, data["link"])
    if link is None or link.nonce is None or data.get("nonce") != link.nonce:
        return None  # another link that got the same id, or one from before nonces
    return link


def active_links(post: Post) -> list[PreviewLink]:
    now = clock.utcnow()
    links = db.session.scalars(
        select(PreviewLink).where(PreviewLink.post_id == post.id).order_by(PreviewLink.id)
    )
    return [link for link in links if link.works_at(now)]
