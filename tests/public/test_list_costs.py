"""What a reader's page costs the database: the same few statements whatever the number of
posts, and query plans that read an index range, never the whole table.

Plans are checked on a few thousand rows with the planner's statistics refreshed (ANALYZE),
on both databases: at a million posts a full scan or a sort of every published post is
what turns a 5 ms page into seconds.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import insert, inspect, select, text

from cms import clock
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.public.helpers import statements_for
from tests.statements import recorded_executions

# --- Statements per page ----------------------------------------------------------------


@pytest.fixture
def publish_posts(post_factory, users):
    """``count`` published posts, newest first, one hour apart."""

    def publish(count: int) -> list[Post]:
        now = clock.utcnow()
        return [
            post_factory(
                users["author"],
                title=f"Post {number}",
                body=f"Body of post {number}, *with Markdown*.\n\n" * 20,
                status=PostStatus.PUBLISHED,
                published_at=now - timedelta(hours=number),
            )
            for number in range(1, count + 1)
        ]

    return publish


def cursor_of(post: Post) -> str:
    return f"{post.published_at:%Y-%m-%dT%H:%M:%S.%f}Z_{post.id}"


@pytest.mark.parametrize("count", [3, 60])
def test_the_home_page_takes_one_statement_whatever_the_number_of_posts(
    app, client, publish_posts, count
):
    publish_posts(count)
    statements = statements_for(app, client, "/")
    assert len(statements) == 1, statements
    # The list shows titles and excerpts: the bodies stay in the database.
    assert "body_html" not in statements[0]
    assert "posts.body," not in statements[0]


@pytest.mark.parametrize("count", [3, 60])
def test_a_deep_page_costs_what_the_second_does(app, client, publish_posts, count):
    posts = publish_posts(count)
    deep = posts[len(posts) * 2 // 3 - 1]  # page 4 of 6 at 60 posts
    statements = statements_for(app, client, f"/?before={cursor_of(deep)}")
    assert len(statements) == 2, statements


@pytest.mark.parametrize("count", [3, 60])
def test_a_post_page_takes_two_statements(app, client, publish_posts, count):
    """The post, then its tags (one range of post_tags' primary key)."""
    posts = publish_posts(count)
    statements = statements_for(app, client, f"/posts/{posts[-1].slug}")
    assert len(statements) == 2, statements
    assert "post_tags" in statements[1]


@pytest.mark.parametrize(
    ("page", "count"), [("first", 1), ("deep", 2), ("post", 2)], ids=["first", "deep", "post"]
)
def test_a_signed_in_reader_costs_what_any_reader_does(
    app, client, users, publish_posts, page, count
):
    """No query for the account: the public pages need to know only whether someone is
    signed in (the Dashboard link), which the session says (cms/public/signed_in.py)."""
    posts = publish_posts(30)
    client.login(users["editor"].email)
    path = {
        "first": "/",
        "deep": f"/?before={cursor_of(posts[14])}",
        "post": f"/posts/{posts[-1].slug}",
    }[page]
    statements = statements_for(app, client, path)
    assert len(statements) == count, statements
    assert not any("fs_uniquifier" in statement for statement in statements)


def test_the_post_page_reads_the_stored_html_and_only_the_authors_name(app, client, publish_posts):
    post = publish_posts(1)[0]
    statement, _tags = statements_for(app, client, f"/posts/{post.slug}")
    columns = statement.split(" FROM ")[0]
    assert "posts.body_html" in columns
    # Neither the Markdown (2 KB a post, and the HTML has it all) nor the author's account
    # (its password hash, its e-mail address) for a page that shows the author's name.
    assert "posts.body," not in columns
    assert "password" not in columns
    assert "email" not in columns


# --- Query plans ------------------------------------------------------------------------

THOUSANDS = 3_000


@pytest.fixture
def a_few_thousand_posts(users):
    """Posts as a real site has them: most published over five years, some drafts, some
    scheduled, some in the trash; the planner's statistics refreshed. Inserted in bulk, so
    around the ORM: the rendered body comes with each row, as a bulk import must bring it."""
    now = clock.utcnow()
    author_id = users["author"].id
    rows = []
    for number in range(THOUSANDS):
        status = PostStatus.PUBLISHED if number % 10 else PostStatus.DRAFT
        published_at = now - timedelta(hours=number * 14 - 48) if number % 10 else None
        rows.append(
            {
                "title": f"Post {number}",
                "slug": f"post-{number}",
                "summary": "",
                "body": "Words. " * 300,
                "body_html": "<p>" + "Words. " * 300 + "</p>",
                "excerpt": "Words. " * 40,
                "status": status,
                "author_id": author_id,
                "created_at": now,
                "updated_at": now,
                "published_at": published_at,
                "deleted_at": now if number % 97 == 0 else None,
            }
        )
    db.session.execute(insert(Post), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def list_indexes() -> set[str]:
    """The indexes that serve the public list in its order: status then publish time, or
    publish time first (the admin's sort index, which PostgreSQL may prefer when nearly
    every post is published: it walks it and skips the few drafts)."""
    return {
        index["name"]
        for index in inspect(db.session.connection()).get_indexes("posts")
        if index["column_names"][:2] == ["status", "published_at"]
        or index["column_names"][:2] == ["published_at", "id"]
    }


#: Fewer rows than this, by the planner's own estimate, are no sort of the table.
SMALL_SORT = 100


def plan_problems(statement: str, parameters, wanted: set[str] | None) -> list[str]:
    """What is wrong with the plan of ``statement`` on posts: a full scan; and for a list
    (``wanted`` given), an index other than those or a sort of what it read."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        details = [row[-1] for row in rows]
        problems = [d for d in details if d.startswith("SCAN posts")]
        if wanted is not None:
            problems += [d for d in details if "TEMP B-TREE" in d]
            used = [d for d in details if d.startswith("SEARCH posts USING")]
            if not any(f"INDEX {name} " in d for d in used for name in wanted):
                problems.append(f"not through {sorted(wanted)}: {details}")
        return problems
    raw = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}", parameters).scalar()
    plan = json.loads(raw) if isinstance(raw, str) else raw
    problems = []
    # A Bitmap Index Scan names its index but not its table: one of another table's (the
    # authors' primary key, for the join that shows their names) is not a read of posts.
    posts_indexes = {index["name"] for index in inspect(connection).get_indexes("posts")}
    posts_indexes.add(inspect(connection).get_pk_constraint("posts")["name"])
    for node in _nodes(plan[0]["Plan"]):
        on_posts = node.get("Relation Name") == "posts"
        if on_posts and node["Node Type"] == "Seq Scan":
            problems.append("Seq Scan on posts")
        if wanted is None:
            continue
        # A bitmap read names its index on the Bitmap Index Scan below it.
        index_read = on_posts and node["Node Type"] != "Bitmap Heap Scan"
        index_read = index_read or (
            node["Node Type"] == "Bitmap Index Scan" and node.get("Index Name") in posts_indexes
        )
        if index_read and node.get("Index Name") not in wanted:
            problems.append(f"{node['Node Type']} using {node.get('Index Name')}")
        # A sort of the few rows an index range returned (the page above a cursor near the
        # top, say) is cheap; a sort of every published post is what must not happen.
        if node["Node Type"] == "Sort" and node.get("Plan Rows", 0) >= SMALL_SORT:
            problems.append(f"Sort on {node['Sort Key']}")
    return problems


def _nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def reader_pages(app, client) -> dict[str, list[tuple[str, object]]]:
    """The statements of the first page, a deep page and a post page, as sent."""
    first = client.get("/")
    older = first.get_data(as_text=True).split('rel="next" href="/?before=')[1].split('"')[0]
    deep = db.session.execute(
        select(Post.published_at, Post.id)
        .where(Post.status == PostStatus.PUBLISHED)
        .order_by(Post.id)
    ).all()[2_000]
    pages = {}
    for name, path in (
        ("first page", "/"),
        ("second page", f"/?before={older}"),
        ("deep page", f"/?before={deep.published_at:%Y-%m-%dT%H:%M:%S.%f}Z_{deep.id}"),
        ("post page", "/posts/post-1001"),
    ):
        with recorded_executions(app) as sent:
            response = client.get(path)
        assert response.status_code == 200, (name, path)
        pages[name] = sent
    return pages


def test_reader_pages_read_an_index_range_never_the_whole_table(app, client, a_few_thousand_posts):
    wanted = list_indexes()
    assert wanted, "no index on posts (status, published_at)"
    pages = reader_pages(app, client)
    assert [len(pages[name]) for name in pages] == [1, 2, 2, 2]
    for name, statements in pages.items():
        for statement, parameters in statements:
            uses = None if name == "post page" else wanted  # one post, found by its slug
            assert plan_problems(statement, parameters, uses) == [], (name, statement)


def work_done(statement: str, parameters) -> int:
    """How much the database does to answer ``statement``, counted, not timed: on
    PostgreSQL the rows its scans of posts return or filter out (EXPLAIN ANALYZE), on SQLite
    the steps of its virtual machine."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        steps = 0

        def count_step() -> int:
            nonlocal steps
            steps += 1
            return 0  # carry on

        driver = connection.connection.driver_connection
        driver.set_progress_handler(count_step, 1)
        try:
            connection.exec_driver_sql(statement, parameters).all()
        finally:
            driver.set_progress_handler(None, 1)
        return steps
    explain = f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}"
    raw = connection.exec_driver_sql(explain, parameters).scalar()
    plan = json.loads(raw) if isinstance(raw, str) else raw
    return sum(
        node["Actual Rows"] * node["Actual Loops"]
        + node.get("Rows Removed by Filter", 0)
        + node.get("Rows Removed by Index Recheck", 0)
        for node in _nodes(plan[0]["Plan"])
        if node.get("Relation Name") == "posts"
    )


def test_a_deep_page_reads_as_little_as_the_second(app, client, a_few_thousand_posts):
    """Page 200 of 270 costs what page 2 does: the index range starts at the cursor, not
    at the newest post (a plan can use the right index and still walk down to the page)."""
    pages = reader_pages(app, client)
    second = [work_done(*sent) for sent in pages["second page"]]
    deep = [work_done(*sent) for sent in pages["deep page"]]
    for at_page_two, at_depth in zip(second, deep, strict=True):
        assert at_depth <= at_page_two * 1.5, (second, deep)


def test_without_the_index_the_plan_check_fails(app, client, a_few_thousand_posts):
    """The check above can fail: drop the index (rolled back with the test) and the first
    and deep pages fall back to a full scan and a sort."""
    pages = reader_pages(app, client)
    wanted = list_indexes()
    # Every index that knows publish times: the admin's lists sort by them too, and one of
    # theirs would serve the public list almost as well.
    for index in inspect(db.session.connection()).get_indexes("posts"):
        if "published_at" in index["column_names"]:
            db.session.execute(text(f"DROP INDEX {index['name']}"))
    for name in ("first page", "deep page"):
        for statement, parameters in pages[name]:
            assert plan_problems(statement, parameters, wanted), (name, statement)
