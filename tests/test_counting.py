"""A list's figure: exact while counting is cheap, an estimate said as one past that."""

from __future__ import annotations

import pytest
from sqlalchemy import insert, select

from cms.counting import Precision, RowCount, count_rows
from cms.extensions import db
from cms.posts.models import Post, PostStatus
from tests.factories import UserFactory
from tests.statements import recorded_statements


def _add_drafts(author, how_many: int) -> None:
    from cms import clock

    now = clock.utcnow()
    rows = [
        {
            "title": f"Draft {n}",
            "slug": f"draft-{n}",
            "summary": "",
            "body": "",
            "status": PostStatus.DRAFT,
            "author_id": author.id,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(how_many)
    ]
    db.session.execute(insert(Post), rows)
    db.session.commit()


@pytest.mark.parametrize(
    ("count", "said"),
    [
        (RowCount(0), "0"),
        (RowCount(1234), "1,234"),
        (RowCount(10_000, Precision.AT_LEAST), "more than 10,000"),
        (RowCount(987_654, Precision.ESTIMATE), "about 990,000"),
        (RowCount(1_004_321, Precision.ESTIMATE), "about 1,000,000"),
        (RowCount(42, Precision.ESTIMATE), "about 42"),
    ],
)
def test_a_figure_says_how_sure_it_is(count, said):
    assert str(count) == said


def test_a_small_list_is_counted_exactly_with_its_conditions(app):
    author = UserFactory(roles=["author"])
    _add_drafts(author, 7)
    everything = count_rows(select(Post))
    mine = count_rows(select(Post).where(Post.author_id == author.id, Post.title != "Draft 0"))
    nobody = count_rows(select(Post).where(Post.author_id == author.id + 1))
    assert (everything, mine, nobody) == (RowCount(7), RowCount(6), RowCount(0))


def test_only_a_counted_figure_is_exact():
    assert RowCount(5).exact
    assert not RowCount(5, Precision.ESTIMATE).exact
    assert not RowCount(5, Precision.AT_LEAST).exact


def test_past_the_bound_the_figure_is_no_longer_exact_and_counting_stops(app):
    author = UserFactory(roles=["author"])
    _add_drafts(author, 30)
    with recorded_statements(app) as statements:
        count = count_rows(select(Post).order_by(Post.id).limit(5), exact_up_to=10)
    assert not count.exact
    assert count.value >= 10
    counting = [sql for sql in statements if "count(" in sql.lower()]
    # The count, where one runs, reads at most bound + 1 rows; ORDER BY and LIMIT of the
    # page itself do not leak into it.
    for sql in counting:
        assert "LIMIT" in sql.upper()
        assert "ORDER BY" not in sql.upper()
    assert len(statements) <= 2
