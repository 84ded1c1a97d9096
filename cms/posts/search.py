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
    any_,
    bindparam,
    column,
    false,
    func,
    literal_column,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import TSVECTOR

from cms.counting import EXACT_UP_TO, planner_estimates
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
# A row's place in the table (PostgreSQL's system column), as a column of the posts table:
# a condition on it makes a query read posts.
_CTID = column("ctid", _selectable=Post.__table__)
_NO_PLACES = literal_column("'{}'::tid[]")

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


#: A search that the index matches in at most this many posts reads them all and sorts
#: them; one matching more reads down the list's own order, testing each post.
FEW_MATCHES = EXACT_UP_TO
#: SQLite: a search the index matches in more posts than this (one in ten at a million)
#: tests each post of the list against the index; one in fewer, in more than
#: ``FEW_MATCHES``, reads the matches' ids once and walks the list's order against them.
DENSE_MATCHES = 100_000
#: With many matches, the list's figure counts its posts among this many of them: twice
#: the figure's bound, so that a list holding most posts reaches "more than 10,000".
_SAMPLE = 2 * (EXACT_UP_TO + 1)


@dataclass(frozen=True)
class Lookup:
    """A search, looked up in the index once (``look_up``): how to find its posts in a
    list, chosen from how many the index holds.

    A page of a list is its first rows in one order. With few matches (``FEW_MATCHES``
    or fewer) the cheapest page reads them all from the index and sorts them; with many,
    the list's order index reaches a page of them after a few rows, where reading them
    all from the index would cost a read of most of it. Neither planner can tell the two
    apart by itself: SQLite always reads every match first, and PostgreSQL guesses ~0.5%
    for a word or prefix its statistics do not hold (a typo, a rare word) and then walks
    the whole table in order looking for them.
    """

    condition: ColumnElement[bool]  # for a page in any order: a WHERE condition on Post
    #: For counting them: the same posts when few; when many, on SQLite those among the
    #: first ``_SAMPLE`` matches the index holds (a lower bound, see
    #: ``cms.counting.bounded_only``); PostgreSQL's figure is then ``estimate``.
    count_condition: ColumnElement[bool]
    few: bool
    estimate: int | None = None  # PostgreSQL's, of the list's matches, when many
    #: PostgreSQL, few matches: the list's figure, exact, as a column of the page's own
    #: statement (the length of the list of ids the page reads), for ``counting.counted_by``.
    count_column: ColumnElement[int] | None = None


def look_up(text: str, within: Select | None = None) -> Lookup:
    """One statement. SQLite: a count in the FTS index, stopping after ``DENSE_MATCHES + 1``
    matches. PostgreSQL: the planner's estimate of the matches ``within`` the list (a
    ``select`` of posts' ids: the list's scope and filters), which ``cms.counting`` takes as the
    list's figure, and the page's condition keeps its choice whatever the statistics."""
    terms = terms_of(text)
    if not terms:
        return Lookup(false(), false(), few=True)
    if _on_sqlite():
        matches = select(literal_column("1")).select_from(_FTS).where(_fts_match(terms))
        counted = select(func.count()).select_from(matches.limit(DENSE_MATCHES + 1).subquery())
        found = db.session.scalar(counted)
        ids = select(_FTS.c.rowid).where(_fts_match(terms))
        if found <= FEW_MATCHES:
            # Read every match from the index, look each post up by id, then sort.
            condition = Post.id.in_(ids)
            return Lookup(condition, condition, few=True)
        sample = Post.id.in_(ids.limit(_SAMPLE))
        if found <= DENSE_MATCHES or not _seekable(terms):
            # The ids read once into a list (8 ms for 10,000 at a million posts), then the
            # list's order index walked, each post looked up in the list: a page is ~20 /
            # (matches / posts) rows away. "+ 0" keeps SQLite from using the list to look
            # posts up by id and sort them all instead (100 ms for 10,000), and the probe
            # below costs ~0.5 ms a post: a second for a word in 1% of the posts. Past
            # DENSE_MATCHES too when a term is a prefix the FTS index keeps no list for
            # (see ``_seekable``): the probe then merges the lists of every word that
            # starts with it, all of them, each time (30 ms for "river" at a million
            # posts, where reading its 200,000 ids once takes about as long).
            return Lookup((Post.id + 0).in_(ids), sample, few=False)
        # ``posts.id`` is the outer row's: a probe of the index for that post only. FTS5
        # seeks to it in each term's list instead of reading the lists through; for a word
        # in one post of ten or more, a page is a few hundred probes away, where reading
        # its ids would take most of the index ("the" in every post: 600 ms).
        probe = select(literal_column("1")).select_from(_FTS)
        probe = probe.where(_fts_match(terms), _FTS.c.rowid == Post.id).exists()
        return Lookup(probe, sample, few=False)
    condition = _VECTOR.bool_op("@@")(_tsquery(terms))
    narrowed = (select(Post.id) if within is None else within).where(condition)
    # The GIN index cannot stop at a bound: its bitmap of a common word is the whole
    # posting list (60 ms for "the" at 200,000 posts), and a heap scan unpacks a vector
    # per post. The planner's statistics, though, do know the common words; what they
    # lack is a word or prefix too rare for them, for which the estimate is a guess of
    # ~0.5% (at a million posts, fewer than FEW_MATCHES).
    # Which way is cheaper depends on the matches in the whole index (the GIN index reads
    # them all); the figure is those in the list.
    everywhere, listed = planner_estimates(select(Post.id).where(condition), narrowed)
    if everywhere > FEW_MATCHES:
        return Lookup(condition, condition, few=False, estimate=listed)
    # An array of the matches' places in the table (ctid), built through the GIN index:
    # the page fetches those rows and sorts them, where the bare condition let the
    # planner walk the list in order for a word it guessed common enough to meet soon
    # (190 ms for a word in 1% of a million posts, reading their vectors). Places, not
    # ids: fetching a row by its place skips a descent of the primary key (10 ms of 20
    # for 10,000 matches), and one statement sees one version of each row. A CTE, so
    # that the page and its figure build it once; ``within`` holds the list's scope and
    # filters, so the array's length is the list's figure.
    places = func.array_agg(_CTID).label("places")
    matches = narrowed.with_only_columns(places, maintain_column_froms=True).cte("search_matches")
    listed = func.coalesce(select(matches.c.places).scalar_subquery(), _NO_PLACES)
    found = _CTID == any_(listed)
    return Lookup(found, found, few=True, count_column=func.cardinality(listed))


def matching(text: str) -> ColumnElement[bool]:
    """The posts whose words match ``text`` (see the module's docstring), as a WHERE
    condition on ``Post``. It only filters: it changes neither the query's order nor its
    joins, so it composes with any ``select(Post)`` (policy, trash, filters, paging).

    It costs one statement, ``look_up``'s, which chooses how the query will find the
    posts: from the index then sorted (few matches), or down the query's own order
    (many)."""
    return look_up(text).condition


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


#: The prefix lengths the FTS5 table keeps lists of posts for (its ``prefix='2 3'``, in the
#: migration ``e6f1b3c8a2d4``): a prefix of another length is the union of the lists of
#: every word it begins.
FTS_PREFIX_LENGTHS = (2, 3)


def _seekable(terms: tuple[Term, ...]) -> bool:
    """SQLite: whether FTS5 can seek to one post in each term's list of posts (a whole
    word, or a prefix it keeps a list for), so that probing a post costs a few page reads
    whatever the number of matches."""
    return all(
        not term.prefix or len(_WORD.findall(term.text)[-1]) in FTS_PREFIX_LENGTHS for term in terms
    )


def _on_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _fts_match(terms: tuple[Term, ...]) -> ColumnElement[bool]:
    return _FTS_ITSELF.op("MATCH")(bindparam("search_fts", fts5_query(terms), unique=True))


def _tsquery(terms: tuple[Term, ...]):
    return func.to_tsquery(_CONFIG, bindparam("search_tsquery", tsquery(terms), unique=True))
