"""Posts through a token: the posts its owner may see (drafts too), and creating, changing,
trashing and restoring them, as the dashboard's editor does (``cms.admin.posts.editor``)
and through the same services. Posts are named by id here; readers' addresses (slugs) are
the public side's (``cms.api.posts``)."""

from __future__ import annotations

from flask import current_app, request, url_for
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from cms import clock
from cms.accounts.models import User
from cms.api.auth import actor, editorial_operation
from cms.api.editorial_common import (
    answering_refusals,
    editorial_post,
    field_error,
    refuse,
    saving,
    visible_post,
)
from cms.api.editorial_schemas import (
    EditorialListArguments,
    EditorialPageSchema,
    EditorialPostSchema,
    PostCreateSchema,
    PostUpdateSchema,
)
from cms.dates import format_utc
from cms.extensions import db
from cms.posts import conflicts, policy, service
from cms.posts.models import Post, PostState
from cms.posts.policy import Action
from cms.public.paging import Cursor
from cms.tags import picking
from cms.tags import service as tag_service
from cms.tags.models import Tag
from cms.tags.service import TagProblem

#: The fields of a post the API writes as they come.
_TEXT_FIELDS = (
    "title", "slug", "summary", "body", "cover_image_url", "seo_title", "seo_description",
)  # fmt: skip


@editorial_operation(
    "GET",
    "/editorial/posts",
    (200, EditorialPageSchema),
    arguments=EditorialListArguments,
    in_query=True,
)
def editorial_post_list(**arguments):
    """The posts the token's owner may see, in every state, newest change first.

    `trashed=true` lists the trash instead. Page by `before`: a page's `next_cursor`.
    """
    user = actor()
    trashed = arguments.get("trashed", False)
    query = select(Post).where(
        policy.admin_scope(user), Post.in_trash if trashed else ~Post.in_trash
    )
    if "state" in arguments:
        query = query.where(Post.in_state_at(PostState(arguments["state"]), clock.utcnow()))
    if "tag" in arguments:
        query = query.where(Post.tags.any(Tag.slug == arguments["tag"]))
    if "author" in arguments:
        query = query.where(Post.author_id == arguments["author"])
    if "before" in arguments:
        # The site's cursor shape: a moment and an id, here the post's last change.
        cursor = Cursor.parse(arguments["before"])
        if cursor is None:
            return {"posts": [], "next_cursor": None, "next": None}
        moment, post_id = cursor.published_at, cursor.post_id
        query = query.where(
            or_(Post.updated_at < moment, and_(Post.updated_at == moment, Post.id < post_id))
        )
    limit = arguments.get("limit") or current_app.config["POSTS_PER_PAGE"]
    rows = list(
        db.session.scalars(
            query.order_by(Post.updated_at.desc(), Post.id.desc())
            .limit(limit + 1)
            .options(selectinload(Post.tags))  # one query for the page's tags, not one a post
        )
    )
    page, more = rows[:limit], len(rows) > limit
    next_cursor = str(Cursor(page[-1].updated_at, page[-1].id)) if more else None
    kept = {k: v for k, v in request.args.items() if k != "before"}
    return {
        "posts": [editorial_post(post, user) for post in page],
        "next_cursor": next_cursor,
        "next": url_for(request.endpoint, _external=True, **kept, before=next_cursor)
        if next_cursor
        else None,
    }


@editorial_operation(
    "POST", "/editorial/posts", (201, EditorialPostSchema), 403, arguments=PostCreateSchema
)
def editorial_post_create(fields):
    """A new draft, by the token's owner (editors may name another author)."""
    user = actor()
    if not policy.can(user, Action.CREATE):
        refuse(403, "You may not create posts.")
    author = _author(fields.pop("author_id", None), user)
    chosen_tags = _tags(fields.pop("tags", None), user)
    values = {name: _cleaned(name, fields[name]) for name in _TEXT_FIELDS if name in fields}
    with answering_refusals():
        post = service.create_post(user, author=author, tags=chosen_tags or [], **values)
    location = url_for("api_v1.editorial_post_detail", post_id=post.id, _external=True)
    return editorial_post(post, user), 201, {"Location": location}


@editorial_operation("GET", "/editorial/posts/<int:post_id>", (200, EditorialPostSchema), 404)
def editorial_post_detail(post_id: int):
    """One post as its editors see it, with its `version` (send it back to change it)."""
    user = actor()
    return editorial_post(visible_post(post_id, user), user)


@editorial_operation(
    "PATCH",
    "/editorial/posts/<int:post_id>",
    (200, EditorialPostSchema),
    403,
    404,
    409,
    arguments=PostUpdateSchema,
)
def editorial_post_update(fields, post_id: int):
    """Change some of a post's fields. `version` is the one you read: if someone changed
    the post since, nothing is saved (409); read it again."""
    user = actor()
    post = visible_post(post_id, user)
    if post.in_trash:
        refuse(409, "This post is in the trash: restore it first; nothing was saved.")
    if not policy.can(user, Action.EDIT, post):
        refuse(403, conflicts.save_refused(user, post) or "You may not edit this post.")
    change = conflicts.changed_since(post, fields.pop("version"))
    if change is not None:
        refuse(
            409,
            f"{change.who} changed this post at {format_utc(change.when)}, after the version "
            "you read, so nothing was saved. Read it again, then send your change.",
        )
    if "author_id" in fields:
        post.author = _author(fields.pop("author_id"), user)
    # New tags are made first: making one flushes, which would otherwise take the post's
    # new values as stored, and the revision and audit log would miss them.
    chosen_tags = _tags(fields.pop("tags", None), user)
    with saving():
        for name in _TEXT_FIELDS:
            if name in fields:
                setattr(post, name, _cleaned(name, fields[name]))
        if chosen_tags is not None:
            post.tags = chosen_tags
        service.prepare_for_save(post, user, is_new=False)
    return editorial_post(post, user)


@editorial_operation("DELETE", "/editorial/posts/<int:post_id>", (204, None), 403, 404)
def editorial_post_delete(post_id: int):
    """Move a post to the trash, where it can be restored."""
    user = actor()
    post = visible_post(post_id, user)
    with saving():
        service.trash(post, user)
    return "", 204


@editorial_operation(
    "POST", "/editorial/posts/<int:post_id>/restore", (200, EditorialPostSchema), 403, 404
)
def editorial_post_restore(post_id: int):
    """Take a post out of the trash, in the state it had."""
    user = actor()
    post = visible_post(post_id, user)
    with saving():
        service.restore(post, user)
    return editorial_post(post, user)


def _cleaned(name: str, value: str) -> str:
    # The dashboard's form filters: trimmed optional fields, an empty slug made anew.
    return value if name == "body" else value.strip()


def _author(author_id: int | None, user: User) -> User:
    """The author ``user`` names (themselves by default). Someone who may not choose gets
    403 (the policy would refuse the post anyway); an editor naming someone who cannot be
    an author, 422."""
    if author_id is None or author_id == user.id:
        return user
    chosen = db.session.scalars(policy.assignable_authors(user).where(User.id == author_id)).first()
    if chosen is not None:
        return chosen
    if not policy.may_name_another_author(user):
        refuse(403, "You may not write a post in another's name.")
    field_error("author_id", "No active member of staff has this id.")


def _tags(names: list[str] | None, user: User):
    """The tags named, new ones made now (None: the tags are not being changed)."""
    if names is None:
        return None
    with answering_refusals():
        try:
            cleaned = [tag_service.clean_name(name) for name in names]
            picked = picking.read(",".join(picking.NEW + name for name in cleaned), user)
            return picking.tags_for(picked, user)
        except TagProblem as problem:
            field_error("tags", str(problem))
