"""What measuring needs from a database seeded in an earlier run, found again in it.

A seeding returns a ``Seeded``; measuring reads its search word (and reports the word's
share of the posts), and signs in as ``ADMIN_EMAIL``. Nothing of it is stored in the
database, so that a seeded database holds only what the app's migrations and saves make:
the number of posts is counted, the search word is the seeder's own choice replayed
(``seed.search_word_of``, deterministic for a number of posts), and the posts holding it
are counted in the search index the migrations made.
"""

from __future__ import annotations

from sqlalchemy import func, select, text

from cms.accounts.models import User
from cms.extensions import db
from cms.posts.models import Post
from cms.posts.search import Term, fts5_query, tsquery

from .seed import ADMIN_EMAIL, Seeded, search_word_of


def seeded_before(app) -> Seeded:
    """The ``Seeded`` of the (migrated) database of ``app``, as far as measuring needs it;
    no steps, since this run seeded nothing."""
    with app.app_context():
        try:
            if db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL)) is None:
                raise SystemExit(
                    f"{db.engine.url.render_as_string()}: no account {ADMIN_EMAIL}; "
                    "not a database that `make bench` seeded"
                )
            posts = db.session.scalar(select(func.count()).select_from(Post))
            word = search_word_of(posts)
            return Seeded(
                posts=posts,
                admin_email=ADMIN_EMAIL,
                search_word=word,
                search_word_posts=_posts_with_word(word),
                derived_columns=[],
            )
        finally:
            db.session.rollback()
            db.engine.dispose()


def _posts_with_word(word: str) -> int:
    """Posts holding ``word`` itself (not as a prefix) in their title, slug, summary or
    body, by the search index."""
    terms = (Term(word, prefix=False),)
    if db.engine.dialect.name == "sqlite":
        statement = text("SELECT count(*) FROM posts_fts WHERE posts_fts MATCH :query")
        return db.session.scalar(statement, {"query": fts5_query(terms)})
    statement = text(
        "SELECT count(*) FROM posts WHERE search_vector @@ to_tsquery('simple_unaccent', :query)"
    )
    return db.session.scalar(statement, {"query": tsquery(terms)})
