"""Post bodies rendered once, when they are saved, rather than on every page view.

Every path that changes a body (the dashboard's editor, workflow actions, restoring a
revision, the CLI, the demo) goes through the ORM, so one mapper event keeps ``body_html``
and ``excerpt`` in step with ``body``. A row written around the ORM (a bulk import) has NULL
there until ``flask cms rerender``; readers still get the right page meanwhile, rendered as
they ask. When the sanitizer's rules change, ``flask cms rerender`` renders every post again.
"""

from __future__ import annotations

from markupsafe import Markup
from sqlalchemy import bindparam, event, inspect, select, update

from cms.extensions import db
from cms.posts.models import Post
from cms.posts.rendering import plain_text, render_markdown


def store_rendered(post: Post) -> None:
    """Set the post's stored HTML and excerpt from its body as it is now."""
    post.body_html = str(render_markdown(post.body))
    post.excerpt = plain_text(post.body)


@event.listens_for(Post, "before_insert")
def _render_new_post(mapper, connection, post: Post) -> None:
    store_rendered(post)


@event.listens_for(Post, "before_update")
def _render_changed_body(mapper, connection, post: Post) -> None:
    # Column attributes set here go into the UPDATE being written (SQLAlchemy's contract for
    # before_update); a save that leaves the body alone renders nothing.
    if inspect(post).attrs.body.history.has_changes():
        store_rendered(post)


def body_html(post: Post) -> Markup:
    """The body as readers see it: as stored at its last save, or rendered now for a row
    that has not been rendered yet."""
    if post.body_html is None:
        return render_markdown(post.body)
    return Markup(post.body_html)  # noqa: S704 - render_markdown sanitized it at save


def excerpt(post: Post) -> str:
    """The first words of the body as plain text, for lists."""
    if post.excerpt is None:
        return plain_text(post.body)
    return post.excerpt


def rerender_all(batch_size: int = 500) -> int:
    """Render every post's body again and store it, committing each batch; returns how many.

    Not an edit: ``updated_at`` and ``version`` stay as they were, so nobody's open editor
    reports a conflict. A post saved between the read and the write of its batch keeps what
    its save stored (the write only applies to the version it read).
    """
    posts = Post.__table__
    store = (
        update(posts)
        .where(posts.c.id == bindparam("row_id"), posts.c.version == bindparam("row_version"))
        # Setting updated_at to itself stops its onupdate: re-rendering changes no words.
        .values(
            body_html=bindparam("html"),
            excerpt=bindparam("text"),
            updated_at=posts.c.updated_at,
        )
    )
    done, last_id = 0, 0
    while True:
        rows = db.session.execute(
            select(posts.c.id, posts.c.version, posts.c.body)
            .where(posts.c.id > last_id)
            .order_by(posts.c.id)
            .limit(batch_size)
        ).all()
        if not rows:
            return done
        db.session.execute(
            store,
            [
                {
                    "row_id": row.id,
                    "row_version": row.version,
                    "html": str(render_markdown(row.body)),
                    "text": plain_text(row.body),
                }
                for row in rows
            ],
        )
        db.session.commit()
        done += len(rows)
        last_id = rows[-1].id
