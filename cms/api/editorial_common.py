"""What the editorial endpoints share: finding a post the token's owner may see, showing
it, and turning the services' refusals into problems (403, 409, 422 with field errors).
The rules stay where they are (``cms.posts.policy``, ``service``, ``workflow``): this
module only says how the API answers them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import abort
from sqlalchemy.exc import IntegrityError

from cms import clock
from cms.accounts.models import User
from cms.api.problems import problem
from cms.api.representations import api_url
from cms.database import MAX_ID
from cms.extensions import db
from cms.posts import service, workflow
from cms.posts.models import Post
from cms.posts.policy import Action, PermissionDenied, can
from cms.public import addresses
from cms.tags.service import TagProblem


def refuse(status: int, detail: str, errors: dict | None = None):
    """Stop the request with a problem (nothing is committed)."""
    db.session.rollback()
    abort(problem(status, detail, errors=errors))


def field_error(field: str, message: str):
    """422 for one field of the JSON body."""
    refuse(422, message, {"json": {field: [message]}})


def visible_post(post_id: int, actor: User) -> Post:
    """The post ``post_id`` names, if ``actor`` may see it (in the trash or not); else 404:
    whether a post they may not see exists is not theirs to learn."""
    post = db.session.get(Post, post_id) if 1 <= post_id <= MAX_ID else None
    if post is None or not can(actor, Action.VIEW, post):
        refuse(404, "No post you may see has this id.")
    return post


@contextmanager
def saving() -> Iterator[None]:
    """Commit what the block changed, or answer why the services refused it."""
    with answering_refusals():
        yield
        db.session.commit()


@contextmanager
def answering_refusals() -> Iterator[None]:
    """Answer the services' refusals in the block (nothing is committed)."""
    try:
        yield
    except PermissionDenied as refused:
        refuse(403, str(refused))
    except service.SlugTaken as taken:
        field_error("slug", str(taken))
    except service.PostTooLong as too_long:
        field_error("body", str(too_long))
    except TagProblem as tag_problem:
        field_error(tag_problem.field, str(tag_problem))
    except IntegrityError:
        # A unique address taken by another request between the check and the commit.
        refuse(409, "Another change took this address at the same moment; nothing was saved.")


def editorial_post(post: Post, actor: User) -> dict:
    """``post`` as its editors see it, with the steps ``actor`` may take now."""
    return {
        "id": post.id,
        "title": post.title,
        "slug": post.slug,
        "summary": post.summary or "",
        "body": post.body or "",
        "cover_image_url": post.cover_image_url or "",
        "seo_title": post.seo_title or "",
        "seo_description": post.seo_description or "",
        "state": post.state_at(clock.utcnow()).value,
        "version": post.version,
        "author": {
            "id": post.author.id,
            "email": post.author.email,
            "name": post.author.display_name,
        },
        "tags": [{"name": tag.name, "slug": tag.slug} for tag in post.tags],
        "editor_note": post.editor_note,
        "steps": [step.value for step in workflow.available(post, actor)],
        "created_at": post.created_at,
        "updated_at": post.updated_at,
        "published_at": post.published_at,
        "trashed_at": post.deleted_at,
        "url": addresses.post_url(post.slug),
        "api_url": api_url("api_v1.editorial_post_detail", post_id=post.id),
    }
