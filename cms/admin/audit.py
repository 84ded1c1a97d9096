"""The audit log in the admin: admins read, filter and export it; nobody edits it."""

from __future__ import annotations

import json

from markupsafe import Markup

from cms.admin.access import AdminsOnly
from cms.admin.base import CMSModelView
from cms.admin.formatting import spreadsheet_safe
from cms.admin.paging import KeysetPaging
from cms.dates import utc_column


def _changes(view, context, entry, name):
    changes = entry.changes_dict
    if not changes:
        return ""
    return Markup("<pre class='mb-0 small'>{}</pre>").format(
        json.dumps(changes, indent=2, ensure_ascii=False)
    )


class AuditLogView(AdminsOnly, KeysetPaging, CMSModelView):
    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    can_export = True
    export_types = ["csv"]
    page_size = 50
    counted_noun = ("entry", "entries")

    column_list = (
        "at", "actor_email", "action", "target_type", "target_label", "source", "token_name", "ip",
    )  # fmt: skip
    column_details_list = (
        "at", "actor_email", "actor_id", "action", "target_type", "target_id", "target_label",
        "changes", "source", "token_name", "ip",
    )  # fmt: skip
    column_export_list = column_details_list
    column_labels = {
        "at": "When (UTC)",
        "actor_email": "Who",
        "target_type": "What",
        "target_label": "Which",
        "ip": "From",
        "token_name": "Token",
    }
    # Only the time has an index to page along (ix_audit_log_at_id); any other order would
    # sort the whole log for each page. Finding entries is the filters' and the search's.
    column_sortable_list = ("at",)
    column_default_sort = [("at", True), ("id", True)]
    column_searchable_list = ("actor_email", "target_label", "action")
    column_filters = ("action", "actor_email", "target_type", "source")
    column_formatters = {
        "at": utc_column,
        "changes": _changes,
    }
    column_formatters_export = {
        "at": lambda view, context, entry, name: entry.at.isoformat(),
    }

    def get_export_value(self, model, name):
        return spreadsheet_safe(super().get_export_value(model, name))
