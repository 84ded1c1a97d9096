"""Full-text search over posts: the one way in, on both databases.

``matching(text)`` turns what someone typed into a WHERE condition on ``Post`` that any
query can add (the admin's lists add it to a query already limited by
``policy.admin_scope``, so authors find only their own posts); ``ranked(query, text)``
also orders by relevance, best first, for the readers' search. Both read an index the
database keeps up to date by itself (see the migration ``e6f1b3c8a2d4``): an FTS5 table
on SQLite, ``posts.search_vector`` with a GIN index on PostgreSQL. Neither is mapped on
the model; ``DATABASE_SEARCH_OBJECTS`` names them for ``flask db check``.

What a search text means, on both databases:

- Words are looked up in the title, the slug (so ``my-post`` finds the post at
  /posts/my-post), the summary and the body; case and accents do not matter ("creme"
  finds "Crème", "CRÈME" finds "creme").
- Every term must match (AND). Each term matches as the beginning of a word ("hel"
  finds "Hello"), except a term of one letter, which matches only that word: a prefix
  of one letter would match nearly every post and read most of the index.
- A term with punctuation inside ("hello-world", "it's") matches its words in that
  order; "double quotes" make a phrase that matches whole words only.
- Nothing is an operator: OR, NOT, NEAR, ``*``, ``:``, ``^`` and parentheses are words
  or punctuation like any other, so no input is a syntax error. Text with no word in
  it (empty, or only punctuation) matches nothing. Beyond ``MAX_TERMS`` terms, or
  ``MAX_TERM_LENGTH`` characters per term, the rest is ignored.
- No stemming: "organize" does not find "organizing" (but "organiz" finds both).
  Stemming would make partly typed words miss (PostgreSQL's ``english`` stores
  "happiness" as "happi", which the prefix "happin" does not match), and FTS5 has no
  stemmer for most languages; so PostgreSQL uses ``simple``, as FTS5 uses ``unicode61``.

Where the two databases differ (the tests pin each):

- PostgreSQL's ``unaccent`` also folds letters that have no accent to remove: "strasse"
  finds "Straße", "aeroskobing" "Ærøskøbing"; on SQLite only the letters as written do.
- PostgreSQL's parser keeps e-mail addresses, host names, paths and numbers like 3.14
  whole, where FTS5 splits them into words: "example" finds "example.com" on both (the
  beginning of a word), but "com" finds it, and "sample" finds "editor@sample.org", on
  SQLite only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from cms.extensions import db
from cms.posts.models import Post

#: Terms beyond these are ignored: each one is another index lookup.
MAX_TERMS = 16
MAX_TERM_LENGTH = 100

#: What the migration creates and the models do not map, by kind, for ``flask db check``.
DATABASE_SEARCH_OBJECTS = {
    "table": {"posts_fts", "posts_fts_data", "posts_fts_idx", "posts_fts_docsize",
              "posts_fts_config"},
    "column": {"search_vector"},
    "index": {"ix_posts_search_vector"},
}  # fmt: skip

# SQLite: the FTS5 table, its columns in this order (bm25's weights follow it).
_FTS = table("posts_fts", column("rowid"))
_FTS_ITSELF = literal_column("posts_fts")  # the hidden column MATCH and bm25 name
_BM25_WEIGHTS = (10.0, 1.0, 4.0, 2.0)  # title, slug, summary, body: as A, D, B, C below

# PostgreSQL: weights A (title), B (summary), C (body), D (slug), ts_rank_cd's defaults.
_VECTOR = literal_column(f"{Post.__tablename__}.search_vector", TSVECTOR)
_CONFIG = literal_column("'simple_unaccent'")

# A "quoted phrase" (its closing quote optional) or a run of anything but spaces and quotes.
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')
# A word as both databases' tokenizers see one, near enough: letters and digits.
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    """One term of a search: its text (words and the punctuation between them), and
    whether its last word may be the beginning of a longer one."""

    text: str
    prefix: bool


def terms_of(text: str) -> tuple[Term, ...]:
    """The terms of what someone typed; none when it holds no word."""
    terms = []
    for phrase, bare in _TERM.findall(text.replace("\x00", " ")):
        chunk = (phrase or bare)[:MAX_TERM_LENGTH]
        words = _WORD.findall(chunk)
        if words:
            terms.append(Term(chunk, prefix=not phrase and len(words[-1]) > 1))
    return tuple(terms[:MAX_TERMS])


def fts5_query(terms: tuple[Term, ...]) -> str:
    """FTS5 query syntax: each term a quoted string (a phrase of its words), all ANDed."""
    quoted = (
        '"' + term.text.replace('"', '""') + '"' + ("*" if term.prefix else "") for term in terms
    )
    return " AND ".join(quoted)


def tsquery(terms: tuple[Term, ...]) -> str:
    """``to_tsquery`` syntax: each term a quoted lexeme (the parser splits it into a
    phrase of its words), all ANDed. Inside quotes only ``'`` and ``\\`` are special."""

    def quoted(term: Term) -> str:
        escaped = term.text.replace("\\", "\\\\").replace("'", "''")
        return f"'{escaped}'" + (":*" if term.prefix else "")

    return " & ".join(quoted(term) for term in terms)


def matching(text: str) -> ColumnElement[bool]:
    """The posts whose words match ``text`` (see the module's docstring), as a WHERE
    condition on ``Post``. It only filters: it changes neither the query's order nor its
    joins, so it composes with any ``select(Post)`` (policy, trash, filters, paging).

    Its cost with a page's ORDER BY and LIMIT: PostgreSQL's statistics tell a rare word
    (read through the GIN index, then sorted) from a common one (read down an index on
    the sort column, checking each row). SQLite's planner cannot tell them apart and
    looks each match up by id, then sorts: fast for words in a few thousand posts,
    proportional to the matches for a word in most of them."""
    terms = terms_of(text)
    if not terms:
        return false()
    if _on_sqlite():
        return Post.id.in_(select(_FTS.c.rowid).where(_fts_match(terms)))
    return _VECTOR.bool_op("@@")(_tsquery(terms))


def ranked(query: Select, text: str) -> Select:
    """``query`` (a ``select`` of ``Post``), limited to the posts matching ``text`` and
    ordered best match first (bm25 on SQLite, ts_rank_cd on PostgreSQL; a word in the
    title counts most, then the summary, the body, the slug), ties newest first. Any
    order ``query`` had is replaced."""
    terms = terms_of(text)
    if not terms:
        return query.where(false())
    if _on_sqlite():
        # bm25 is only defined in the query that MATCHes the FTS table, hence the join.
        rank = func.bm25(_FTS_ITSELF, *_BM25_WEIGHTS)  # lower is better
        query = query.join(_FTS, _FTS.c.rowid == Post.id).where(_fts_match(terms))
        return query.order_by(None).order_by(rank, Post.id.desc())
    condition = _tsquery(terms)
    rank = func.ts_rank_cd(_VECTOR, condition)  # higher is better
    query = query.where(_VECTOR.bool_op("@@")(condition))
    return query.order_by(None).order_by(rank.desc(), Post.id.desc())


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _fts_match(terms: tuple[Term, ...]) -> ColumnElement[bool]:
    return _FTS_ITSELF.op("MATCH")(bindparam("search_fts", fts5_query(terms), unique=True))


def _tsquery(terms: tuple[Term, ...]):
    return func.to_tsquery(_CONFIG, bindparam("search_tsquery", tsquery(terms), unique=True))
