"""What the version's schedule costs the database: two index probes, whatever the number
of posts (it is read after every change and at every scheduled publication)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from cms import clock
from cms.extensions import db
from cms.posts import publication
from tests.public.test_list_costs import (  # noqa: F401 - a fixture
    a_few_thousand_posts,
    list_indexes,
    plan_problems,
    work_done,
)
from tests.statements import recorded_executions


def schedule_statement(app) -> tuple[str, object]:
    with recorded_executions(app) as sent:
        newest, upcoming = publication.publication_moments(clock.utcnow())
    assert newest is not None and upcoming is not None  # the posts have both
    [statement] = sent
    return statement


def most_work() -> int:
    """Two rows on PostgreSQL; on SQLite a few dozen steps of its virtual machine, where
    reading the 2,700 published posts takes thousands."""
    return 200 if db.session.connection().dialect.name == "sqlite" else 4


def test_the_schedule_reads_two_index_entries_not_the_table(app, a_few_thousand_posts):  # noqa: F811
    statement, parameters = schedule_statement(app)

    assert plan_problems(statement, parameters, list_indexes()) == []
    assert work_done(statement, parameters) <= most_work()


def test_without_the_index_the_schedule_check_fails(app, a_few_thousand_posts):  # noqa: F811
    statement, parameters = schedule_statement(app)
    for index in inspect(db.session.connection()).get_indexes("posts"):
        if "published_at" in index["column_names"]:
            db.session.execute(text(f"DROP INDEX {index['name']}"))  # rolled back

    assert work_done(statement, parameters) > most_work() * 10
