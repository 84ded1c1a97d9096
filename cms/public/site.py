"""The readers' blueprint, shared by the modules of its pages (``views``, ``tags``,
``search_page``): one name, ``public``, for every URL function readers reach."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from cms.posts import rendered
from cms.public import addresses, caching, reading, signed_in

blueprint = Blueprint("public", __name__)
blueprint.record_once(lambda state: signed_in.leave_accounts_unloaded(state.app, blueprint.name))
# The links of the readers' lists, without a url_for each (cms.public.addresses).
for _address in (addresses.post_address, addresses.tag_address, addresses.author_address):
    blueprint.add_app_template_global(_address)


@blueprint.before_request
def _read_outside_a_transaction() -> None:
    # A cached page does this itself, only when it renders: a page served from the cache
    # takes no database connection at all.
    if not caching.is_cached_page(current_app.view_functions.get(request.endpoint)):
        reading.read_outside_a_transaction()


@blueprint.app_template_filter("excerpt")
def excerpt_filter(post):
    return rendered.excerpt(post)
