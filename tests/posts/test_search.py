"""Full-text search (``cms.posts.search``): what a search finds, on both databases, and
that the index follows every change the app makes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from cms import clock
from cms.extensions import db
from cms.posts import policy, search, service
from cms.posts.models import Post, PostStatus


def _on(dialect: str) -> bool:
    return db.session.get_bind().dialect.name == dialect


def found(words: str) -> list[str]:
    """Titles of the posts matching ``words``, in title order."""
    query = select(Post.title).where(search.matching(words)).order_by(Post.title)
    return list(db.session.scalars(query))


def ranked(words: str) -> list[str]:
    return list(db.session.scalars(search.ranked(select(Post.title), words)))


def assert_index_in_step() -> None:
    """On SQLite, FTS5 compares its index with the posts table and raises if they differ
    (PostgreSQL's generated column cannot drift)."""
    if _on("sqlite"):
        db.session.execute(text("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')"))


def test_the_index_follows_create_edit_trash_restore_and_purge(users, post_factory):
    editor, admin = users["editor"], users["admin"]
    post = service.create_post(editor, title="Walnut bread", slug="loaf", body="Flour and water.")
    assert found("walnut") == ["Walnut bread"]
    assert_index_in_step()

    post.title, post.summary, post.body = "Rye bread", "A sour one", "Caraway seeds."
    service.prepare_for_save(post, editor, is_new=False)
    db.session.commit()
    assert found("walnut") == [] and found("flour") == []
    assert found("rye") == found("sour") == found("caraway") == ["Rye bread"]
    assert_index_in_step()

    service.trash(post, editor)
    db.session.commit()
    assert found("rye") == ["Rye bread"]  # the trash's own list searches it too
    service.restore(post, editor)
    db.session.commit()
    assert found("rye") == ["Rye bread"]
    assert_index_in_step()

    service.trash(post, editor)
    service.purge(post, admin)
    db.session.commit()
    assert found("rye") == []
    assert_index_in_step()
    # SQLite gives the next post the purged one's id: a stale index entry would find it.
    post_factory(editor, title="Something else", body="Nothing in common.")
    assert found("rye") == found("caraway") == []
    assert_index_in_step()


def test_a_post_is_found_by_its_slug(users, post_factory):
    post_factory(users["author"], title="Notes", slug="my-first-post")
    post_factory(users["author"], title="Other", slug="other")
    assert found("my-first-post") == ["Notes"]
    assert found("first") == ["Notes"]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("hel", ["Hello world"]),
        ("HELLO wor", ["Hello world"]),
        ("wor hel", ["Hello world"]),  # every term, in any order
        ("hello-wor", ["Hello world"]),  # words in this order, the last one begun
        ('"hello wor"', []),  # a quoted phrase matches whole words only
        ('"hello world"', ["Hello world"]),
        ("world hello-there", []),  # every term must match
        ("h", ["H is a letter"]),  # one letter matches only that word
        ("organiz", ["Organizing things", "Organize things"]),
        ("organize", ["Organize things"]),  # no stemming
    ],
)
def test_terms_match_the_beginning_of_words(users, post_factory, words, expected):
    for title in ("Hello world", "H is a letter", "Organizing things", "Organize things"):
        post_factory(users["author"], title=title)
    assert sorted(found(words)) == sorted(expected)


# Accents: what matches on both databases, and where they differ.
SAME_ON_BOTH = [("creme", True), ("CRÈME", True), ("brulee", True), ("naive", True)]
POSTGRESQL_ONLY = [("strasse", "Straße"), ("aeroskobing", "Ærøskøbing"), ("oeuvre", "œuvre")]


@pytest.mark.parametrize(("words", "matches"), SAME_ON_BOTH)
def test_case_and_accents_do_not_matter(users, post_factory, words, matches):
    post_factory(users["author"], title="Crème brûlée", body="A naïve recipe.")
    assert (found(words) == ["Crème brûlée"]) is matches


@pytest.mark.parametrize(("words", "written"), POSTGRESQL_ONLY)
def test_letters_without_an_accent_to_remove_fold_on_postgresql_only(
    users, post_factory, words, written
):
    # (A slug made from the title spells these in ASCII, and so finds them on both.)
    post_factory(users["author"], title="About", slug="about", body=f"On {written}.")
    assert (found(words) == ["About"]) is _on("postgresql")
    assert found(written) == ["About"]  # as written, on both


def test_addresses_and_numbers_split_into_words_on_sqlite_only(users, post_factory):
    post_factory(
        users["author"], title="Links", body="See example.com, mail editor@sample.org; pi is 3.14."
    )
    assert found("example") == ["Links"]  # the beginning of a word on both
    assert found("example.com") == found("3.14") == ["Links"]
    assert (found("com") == ["Links"]) is _on("sqlite")
    assert (found("sample") == ["Links"]) is _on("sqlite")


def test_ranked_puts_title_before_summary_before_body(users, post_factory):
    author = users["author"]
    post_factory(author, title="In the body", body="Nothing but quince here.")
    post_factory(author, title="Quince in the title", body="Fruit.")
    post_factory(author, title="In the summary", summary="Quince jam.", body="Fruit.")
    post_factory(author, title="Unrelated", body="Apples.")
    assert ranked("quince") == ["Quince in the title", "In the summary", "In the body"]
    assert ranked("qui") == ranked("quince")
    assert ranked("") == []


HOSTILE = [
    'hello-world OR "',
    '"',
    '""',
    "'",
    "\\",
    "\\'",
    "'\\",
    "*",
    "hello*",
    "NEAR(hello world)",
    "NEAR(",
    "title:hello",
    "^hello",
    "-hello",
    "hello AND",
    "NOT",
    "a:* & b | !c",
    "<-> <2>",
    "(hello",
    "'); DROP TABLE posts; --",
    "\x00",
    "hello\x00world",
    "x" * 5000,
    " ".join(["hello"] * 1000),
    "…–—“”",
    "🙂 hello",
    "_",
    "   ",
    "",
]


@pytest.mark.parametrize("words", HOSTILE)
def test_no_text_is_a_syntax_error(users, post_factory, words):
    post_factory(users["author"], title="Hello world, or not")
    assert found(words) in ([], ["Hello world, or not"])
    assert ranked(words) in ([], ["Hello world, or not"])


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ('hello-world OR "', ["Hello world, or not"]),  # OR is a word like any other
        ("NEAR(hello", []),  # so is NEAR
        ("hello*", ["Hello world, or not"]),  # and * is punctuation
        ("", []),  # no word: nothing to look for
        ("*** !!!", []),
        (" ".join(["hello"] * 1000), ["Hello world, or not"]),
    ],
)
def test_operators_are_words_and_punctuation(users, post_factory, words, expected):
    post_factory(users["author"], title="Hello world, or not")
    assert found(words) == expected


def test_terms_are_bounded():
    terms = search.terms_of(" ".join(f"w{n}" for n in range(100)) + " " + "y" * 500)
    assert len(terms) == search.MAX_TERMS
    assert all(len(term.text) <= search.MAX_TERM_LENGTH for term in terms)


def test_an_author_finds_only_their_own_posts(users, post_factory):
    post_factory(users["author"], title="Mine about plums")
    post_factory(users["other_author"], title="Theirs about plums")
    query = select(Post.title).where(policy.admin_scope(users["author"]), search.matching("plum"))
    assert list(db.session.scalars(query)) == ["Mine about plums"]
    editor_query = select(Post.title).where(
        policy.admin_scope(users["editor"]), search.matching("plum")
    )
    assert len(list(db.session.scalars(editor_query))) == 2


def test_matching_composes_with_published_and_order(users, post_factory):
    author = users["author"]
    now = clock.utcnow()
    for days in (3, 1, 2):
        post_factory(
            author,
            title=f"Pear {days}",
            status=PostStatus.PUBLISHED,
            published_at=now - timedelta(days=days),
        )
    post_factory(author, title="Pear draft")
    query = (
        select(Post.title)
        .where(Post.is_published_at(now), search.matching("pear"))
        .order_by(Post.published_at.desc())
    )
    assert list(db.session.scalars(query)) == ["Pear 1", "Pear 2", "Pear 3"]
