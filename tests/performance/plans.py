"""Reading query plans on both databases: what a statement would scan and sort."""

from __future__ import annotations

import re

from cms.extensions import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def plan_problems(statement: str, parameters, table: str, *, ordered: bool) -> list[str]:
    """Where ``statement`` reads all of ``table``, or (``ordered``: a list page) sorts it
    instead of reading it in order from an index, or counts ``table``'s rows by reading
    rows it does not count; empty when it does none of these."""
    connection = db.session.connection()
    if dialect() == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        return _sqlite_problems([tuple(row) for row in rows], table, ordered)
    # ANALYZE runs the statement (a SELECT, on a few thousand rows): the plan then says how
    # many rows each step read and threw away, not only what the planner guessed.
    explain = "EXPLAIN (ANALYZE, FORMAT JSON) "
    plan = connection.exec_driver_sql(explain + statement, parameters).scalar()
    return list(_postgresql_problems(plan[0]["Plan"], table))


def sqlite_count_reads(statement: str, parameters) -> list[str]:
    """SQLite: how each bounded count in ``statement`` reads (the plan lines inside its
    ``LIMIT`` co-routine), e.g. "SEARCH posts USING COVERING INDEX ix (status=?)"."""
    rows = db.session.connection().exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
    rows = [tuple(row) for row in rows]
    coroutines = {row[0] for row in rows if row[3].startswith("CO-ROUTINE")}
    return [row[3] for row in rows if row[1] in coroutines]


def _sqlite_problems(rows, table: str, ordered: bool) -> list[str]:
    """``rows`` are EXPLAIN QUERY PLAN's (id, parent, _, detail). A count is a co-routine
    (the bounded count's ``LIMIT`` subquery): in it, an index that is not covering means
    a table row read per counted row, to check a condition the index does not hold."""
    details = {row[0]: row[3] for row in rows}
    parents = {row[0]: row[1] for row in rows}

    def in_count(node) -> bool:
        while node in parents:
            node = parents[node]
            if details.get(node, "").startswith("CO-ROUTINE"):
                return True
        return False

    problems = [d for d in details.values() if re.fullmatch(rf"SCAN {table}", d)]
    if ordered:
        problems += [d for d in details.values() if "TEMP B-TREE FOR" in d and "ORDER BY" in d]
    problems += [
        f"count reads the table: {detail}"
        for node, detail in details.items()
        if re.match(rf"(SEARCH|SCAN) {table} USING INDEX ", detail) and in_count(node)
    ]
    return problems


#: PostgreSQL sorts a handful of rows rather than walk an index for them (one author's
#: drafts, say): a sort of fewer rows than this, by its own estimate, is no table sort.
SMALL_SORT = 100
#: In a count, an index read that throws away more than this share of the rows it read
#: is checking the count's condition on table rows (see ``_postgresql_problems``).
MOSTLY_KEPT = 0.2


def _postgresql_problems(node, table, in_subplan=False, bounded=False, counting=False):
    """A Seq Scan on ``table`` anywhere but in a bounded count (a subplan under a LIMIT,
    which stops at its bound), a Sort of ``table``'s rows outside subplans, and in a count
    (under an Aggregate) an index read of ``table`` that threw rows away: rows fetched
    from the table only to find they fail a condition the index does not hold."""
    in_subplan = in_subplan or node.get("Parent Relationship") in ("InitPlan", "SubPlan")
    kind = node["Node Type"]
    if kind == "Seq Scan" and node.get("Relation Name") == table and not bounded:
        yield f"Seq Scan on {table}"
    big = node.get("Plan Rows", 0) >= SMALL_SORT
    # An Incremental Sort too: it reads each group of its presorted key whole (all of an
    # author's posts, for a list sorted by author) before it returns one row.
    if kind in ("Sort", "Incremental Sort") and big and not in_subplan and _reads(node, table):
        yield f"Sort of {node['Plan Rows']} rows of {table} by {node.get('Sort Key')}"
    thrown_away = node.get("Rows Removed by Filter", 0) + node.get(
        "Rows Removed by Index Recheck", 0
    )
    # A Seq Scan in a bounded count is the first rule's: it stops at the bound. A few rows
    # thrown away is a plan for a small table, not a count that checks its condition row
    # by row: PostgreSQL counts an author's 300 posts through the foreign key's index and
    # throws away the 5% in the trash, where at a million posts it reads a partial index.
    read = thrown_away + node.get("Actual Rows", 0)
    reads_table = kind != "Seq Scan" and node.get("Relation Name") == table
    if counting and reads_table and thrown_away > MOSTLY_KEPT * read:
        yield f"count read {thrown_away} rows of {table} it did not count ({node.get('Filter')})"
    # A count is a plain Aggregate; a hashed one (a semi-join's distinct ids) counts nothing.
    counting = counting or (kind == "Aggregate" and node.get("Strategy") == "Plain")
    for child in node.get("Plans", []):
        yield from _postgresql_problems(
            child, table, in_subplan, bounded or (in_subplan and kind == "Limit"), counting
        )


def _reads(node, table) -> bool:
    """Whether ``node`` reads ``table``'s rows other than through a LIMIT: a sort of rows
    read through one (each author's first posts, for a list sorted by author) sorts no
    more than the limit allows, however big the table."""
    if node["Node Type"] == "Limit":
        return False
    return node.get("Relation Name") == table or any(
        _reads(child, table) for child in node.get("Plans", [])
    )
