"""Checks every request passes before any view sees it."""

from __future__ import annotations

from flask import abort, request


def refuse_nul_bytes() -> None:
    """Answer 400 to a NUL byte anywhere in the path, query or form.

    No text the CMS stores or looks up can contain one, PostgreSQL rejects it outright
    (a 500 deep inside a query otherwise), and no browser sends one unprompted.
    """
    values = [request.path, *request.args.values(), *request.form.values()]
    values += list(request.args.keys()) + list(request.form.keys())
    if any("\x00" in value for value in values):
        abort(400, description="The request contains a NUL character, which cannot be stored.")
