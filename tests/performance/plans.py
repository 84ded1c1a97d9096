"""Reading query plans on both databases: what a statement would scan and sort."""

from __future__ import annotations

import re

from cms.extensions import db


def dialect() -> str:
    return db.session.get_bind().dialect.name


def plan_problems(statement: str, parameters, table: str, *, ordered: bool) -> list[str]:
    """Where ``statement`` reads all of ``table``, or (``ordered``: a list page) sorts it
    instead of reading it in order from an index; empty when it does neither."""
    connection = db.session.connection()
    if dialect() == "sqlite":
        rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        details = [row[3] for row in rows]
        problems = [d for d in details if re.fullmatch(rf"SCAN {table}", d)]
        if ordered:
            problems += [d for d in details if "TEMP B-TREE FOR" in d and "ORDER BY" in d]
        return problems
    plan = connection.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
    return list(_postgresql_problems(plan[0]["Plan"], table))


#: PostgreSQL sorts a handful of rows rather than walk an index for them (one author's
#: drafts, say): a sort of fewer rows than this, by its own estimate, is no table sort.
SMALL_SORT = 100


def _postgresql_problems(node, table, in_subplan=False, bounded=False):
    """A Seq Scan on ``table`` anywhere but in a bounded count (a subplan under a LIMIT,
    which stops at its bound), and a Sort of ``table``'s rows outside subplans."""
    in_subplan = in_subplan or node.get("Parent Relationship") in ("InitPlan", "SubPlan")
    kind = node["Node Type"]
    if kind == "Seq Scan" and node.get("Relation Name") == table and not bounded:
        yield f"Seq Scan on {table}"
    big = node.get("Plan Rows", 0) >= SMALL_SORT
    if kind == "Sort" and big and not in_subplan and _reads(node, table):
        yield f"Sort of {node['Plan Rows']} rows of {table} by {node.get('Sort Key')}"
    for child in node.get("Plans", []):
        yield from _postgresql_problems(
            child, table, in_subplan, bounded or (in_subplan and kind == "Limit")
        )


def _reads(node, table) -> bool:
    return node.get("Relation Name") == table or any(
        _reads(child, table) for child in node.get("Plans", [])
    )
