"""The posts lists' search box, through the posts' full-text search.

Flask-Admin's own search is ``ILIKE '%word%'`` over every searchable column: a full read
of the table (bodies included) for every search. This mixin keeps Flask-Admin's box and
its ``?search=`` argument and answers with ``cms.posts.search.matching`` instead. It only
adds a WHERE condition, to the list and to its count, so the list keeps its sort order,
its filters, its paging and the policy's scope.
"""

from __future__ import annotations

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
        condition = search.matching(search_text)
        if count_query is not None:
            count_query = count_query.filter(condition)
        return query.filter(condition), count_query, joins, count_joins
