"""Highlighted excerpts of search results, made by the database that matched them: FTS5's
``snippet()`` on SQLite, ``ts_headline`` on PostgreSQL, around the words of the search as
``cms.posts.search`` reads them. (Beside ``search``, not in it: that module is at the
project's size limit.)

The database marks the matches with two control characters, which Markdown text does not
hold; ``marked`` escapes everything else and turns each balanced pair into ``<mark>``, so a
post's own markup, or a stray marker in it, is only ever text.
"""

from __future__ import annotations

from markupsafe import Markup, escape
from sqlalchemy import bindparam, column, func, literal_column, select, table

from cms.extensions import db
from cms.posts import search
from cms.posts.models import Post

_START, _STOP = "\x02", "\x03"
_ELLIPSIS = "…"  # SQLite: where the passage cuts the body
#: Words around the matches: about two lines of a results page.
_WORDS = 28
# The body's place among the FTS5 table's columns (title, slug, summary, body).
_FTS_BODY = 3


def excerpts(text: str, post_ids: list[int]) -> dict[int, Markup]:
    """{post id: its body around the words of ``text``, matches in ``<mark>``} for the
    posts of ``post_ids`` that ``text`` matches; one statement, for a page of results."""
    terms = search.terms_of(text)
    if not terms or not post_ids:
        return {}
    if db.session.get_bind().dialect.name == "sqlite":
        fts = table("posts_fts", column("rowid"))
        itself = literal_column("posts_fts")  # the hidden column MATCH and snippet name
        snippet = func.snippet(itself, _FTS_BODY, _START, _STOP, _ELLIPSIS, _WORDS)
        query = select(fts.c.rowid, snippet).where(
            itself.op("MATCH")(bindparam("search_fts", search.fts5_query(terms))),
            fts.c.rowid.in_(post_ids),
        )
    else:
        # One passage, not fragments: fragments are cut to the fewest words around each
        # match, where a reader wants the sentence.
        options = f"StartSel={_START}, StopSel={_STOP}, MaxWords={_WORDS}, MinWords={_WORDS // 2}"
        tsquery = func.to_tsquery(
            literal_column("'simple_unaccent'"), bindparam("search_tsquery", search.tsquery(terms))
        )
        headline = func.ts_headline(
            literal_column("'simple_unaccent'"), func.coalesce(Post.body, ""), tsquery, options
        )
        query = select(Post.id, headline).where(Post.id.in_(post_ids))
    return {post_id: marked(excerpt or "") for post_id, excerpt in db.session.execute(query)}


def marked(excerpt: str) -> Markup:
    """``excerpt`` escaped, its matches between the database's markers in ``<mark>``."""
    parts, open_ = [], False
    for char_run in _split(excerpt):
        if char_run == _START and not open_:
            parts.append(Markup("<mark>"))
            open_ = True
        elif char_run == _STOP and open_:
            parts.append(Markup("</mark>"))
            open_ = False
        elif char_run not in (_START, _STOP):
            parts.append(escape(char_run))
    if open_:
        parts.append(Markup("</mark>"))
    return Markup("").join(parts)


def _split(excerpt: str) -> list[str]:
    runs, current = [], []
    for char in excerpt:
        if char in (_START, _STOP):
            if current:
                runs.append("".join(current))
                current = []
            runs.append(char)
        else:
            current.append(char)
    if current:
        runs.append("".join(current))
    return runs
