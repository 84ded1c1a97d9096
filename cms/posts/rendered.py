"""Post bodies rendered once, when they are saved, rather than on every page view.

Every path that changes a body (the dashboard's editor, workflow actions, restoring a
revision, the CLI, the demo) goes through the ORM, so one mapper event keeps ``body_html``
and ``excerpt`` in step with ``body``. An UPDATE written around the ORM (raw SQL, a script)
cannot render: the database then sets both to NULL (a trigger, migration a7c3e9d2b5f1), as
they are for posts from before that migration and rows inserted around the ORM. NULL means
"not rendered yet": readers get the page rendered as they ask, the row's next save stores
it, and ``flask cms rerender --missing`` (the Procfile's release step) fills every such row.
When the Markdown or sanitizer rules change, ``flask cms rerender`` renders every post again.
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
    # before_update). A save that leaves the body alone renders nothing, unless the row was
    # never rendered (loaded_value is NO_VALUE, not None, when the column was not loaded:
    # this never costs a query).
    attributes = inspect(post).attrs
    if attributes.body.history.has_changes() or attributes.body_html.loaded_value is None:
        store_rendered(post)


@event.listens_for(Post, "after_update")
def _store_html_the_database_forgot(mapper, connection, post: Post) -> None:
    # The database forgets the HTML of an UPDATE that changes the body and leaves body_html
    # as it was. A new body can render to the same HTML as the old one (a trailing newline,
    # a tag the sanitizer strips); SQLAlchemy then leaves body_html out of the UPDATE, and the
    # trigger cannot tell that from raw SQL: write the HTML again, without the body.
    attributes = inspect(post).attrs
    if attributes.body.history.has_changes() and not attributes.body_html.history.has_changes():
        posts = Post.__table__
        connection.execute(
            update(posts)
            .where(posts.c.id == post.id)
            .values(body_html=post.body_html, excerpt=post.excerpt, updated_at=posts.c.updated_at)
        )


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


def rerender(*, only_missing: bool = False, batch_size: int = 500) -> int:
    """Render posts' bodies again and store them, committing each batch; returns how many.

    Every post, or with ``only_missing`` only those not rendered yet (NULL ``body_html``).
    Not an edit: ``updated_at`` and ``version`` stay as they were, so nobody's open editor
    reports a conflict. A post whose body changes between the read and the write of its
    batch keeps what that change stored (the write only applies to the body it rendered).
    """
    posts = Post.__table__
    store = (
        update(posts)
        .where(posts.c.id == bindparam("row_id"), posts.c.body == bindparam("rendered_body"))
        # Setting updated_at to itself stops its onupdate: re-rendering changes no words.
        .values(
            body_html=bindparam("html"),
            excerpt=bindparam("text"),
            updated_at=posts.c.updated_at,
        )
    )
    done, last_id = 0, 0
    while True:
        batch = select(posts.c.id, posts.c.body).where(posts.c.id > last_id)
        if only_missing:
            batch = batch.where(posts.c.body_html.is_(None))
        rows = db.session.execute(batch.order_by(posts.c.id).limit(batch_size)).all()
        if not rows:
            return done
        db.session.execute(
            store,
            [
                {
                    "row_id": row.id,
                    "rendered_body": row.body,
                    "html": str(render_markdown(row.body)),
                    "text": plain_text(row.body),
                }
                for row in rows
            ],
        )
        db.session.commit()
        done += len(rows)
        last_id = rows[-1].id
