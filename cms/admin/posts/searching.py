"""The posts lists' search box, through the posts' full-text search.

Flask-Admin's own search is ``ILIKE '%word%'`` over every searchable column: a full read
of the table (bodies included) for every search. This mixin keeps Flask-Admin's box and
its ``?search=`` argument and answers with ``cms.posts.search`` instead. It only adds a
WHERE condition, to the list and to its count, so the list keeps its sort order, its
filters, its paging and the policy's scope.

The search's own lookup (``search.look_up``, one statement) takes the place of the
statement PostgreSQL's row estimate would cost, so a searched list sends no more
statements than another. With few matches the figure is exact, riding in the page's
SELECT (on PostgreSQL the length of the list of matches the page reads; the list's
filters apply before the search, so that list holds only the list's posts). With many,
PostgreSQL's is the planner's estimate of the list's matches (the lookup's, passed on),
SQLite's a lower bound ("more than 630 posts"): the list's posts among the first matches
the index holds, since an exact count would test every post of the list (half a second
for an author's "the" at 200,000 posts).
"""

from __future__ import annotations

from cms.counting import bounded_only, counted_by, estimated
from cms.posts import search


class FullTextSearch:
    """For a ModelView of posts; list it before the ModelView among the bases."""

    def init_search(self) -> bool:
        # Flask-Admin shows the box when this says search is supported. Without a
        # column_searchable_list it builds none of its ILIKE conditions.
        return True

    def search_placeholder(self) -> str:
        return "Words in the title, address, summary or text"

    def _apply_search(self, query, count_query, joins, count_joins, search_text):
        within = count_query.statement if count_query is not None else None
        lookup = search.look_up(search_text, within)
        if count_query is not None:
            count_query = count_query.filter(lookup.count_condition)
            if lookup.count_column is not None:
                count_query = counted_by(count_query, lookup.count_column)
            elif lookup.estimate is not None:
                count_query = estimated(count_query, lookup.estimate)
            else:
                count_query = bounded_only(count_query, sampled=not lookup.few)
        return query.filter(lookup.condition), count_query, joins, count_joins
