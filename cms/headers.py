"""Security headers on every response.

The public site runs no script at all, so its policy allows none. Images in posts may come
from any HTTPS host: authors embed pictures by URL.

The dashboard and the account screens run only the scripts their templates name with this
request's nonce: Flask-Admin puts it on every ``<script>`` it writes, our templates and
Flask-Security's do the same (``csp_nonce()``). A page gets the nonce policy only when its
template asked for the nonce, so every other response keeps ``script-src 'none'``. No
inline event handler runs anywhere: the dashboard's confirmations and menus are wired by
data attributes in ``static/js/dashboard.js``. No inline style either: ``style``
attributes are refused everywhere (styles go in ``static/css``; scripts may still set
``element.style``, as Bootstrap and select2 do).

Caching: dashboard and account pages are ``no-store``; readers' pages say how long they
may be kept themselves (``cms.public.caching``), and a Cache-Control set before this runs
is kept.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

_NONCE = "csp_nonce"
_COMMON = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; img-src 'self' https: data:; "
)
PUBLIC_POLICY = _COMMON + "style-src 'self'; script-src 'none'"
#: A page that runs scripts the app serves as files, none inline (the API docs page).
OWN_SCRIPTS_POLICY = _COMMON + "style-src 'self'; script-src 'self'"
_OWN_SCRIPTS = "csp_own_scripts"
# Answers of the dashboard and of the invitation page that render no page (redirects, CSV
# exports): Flask-Security's answers are told by their blueprint, whatever their path.
_ACCOUNT_PREFIXES = ("/admin", "/invitation")


def csp_nonce() -> str:
    """This request's script nonce, made on first use; the response's policy then allows it."""
    if _NONCE not in g:
        setattr(g, _NONCE, secrets.token_urlsafe(18))
    return g.get(_NONCE)


def allow_own_scripts() -> None:
    """Let this response's page run the scripts the app serves (from 'self', no inline)."""
    setattr(g, _OWN_SCRIPTS, True)


def _policy(nonce: str | None) -> str:
    if nonce:
        return dashboard_policy(nonce)
    return OWN_SCRIPTS_POLICY if g.get(_OWN_SCRIPTS) else PUBLIC_POLICY


def dashboard_policy(nonce: str) -> str:
    return _COMMON + f"style-src 'self' 'nonce-{nonce}'; script-src 'nonce-{nonce}'"


def strict_transport_security(config) -> str | None:
    """The HSTS value, or None where the site is not served over HTTPS (see the settings)."""
    if not config["HSTS_SECONDS"]:
        return None
    value = f"max-age={config['HSTS_SECONDS']}"
    return value + "; includeSubDomains" if config["HSTS_INCLUDE_SUBDOMAINS"] else value


def add_security_headers(response: Response) -> Response:
    nonce = g.get(_NONCE)
    wanted = [
        ("Content-Security-Policy", _policy(nonce)),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ]
    hsts = strict_transport_security(current_app.config)
    if hsts:
        wanted.append(("Strict-Transport-Security", hsts))
    account_page = request.path.startswith(_ACCOUNT_PREFIXES) or request.blueprint == "security"
    if nonce or account_page:
        # Signed-in pages must not come back from the browser cache after logout (Back
        # button); every page in the dashboard's layout asks for the nonce, and every
        # Flask-Security answer is an account page, whatever its path or type.
        wanted.append(("Cache-Control", "no-store"))
    # A header the view set already is kept. One pass over the response's headers, not one
    # per header added (werkzeug's setdefault scans them all each time).
    present = {name.lower() for name, _ in response.headers}
    for name, value in wanted:
        if name.lower() not in present:
            response.headers.add(name, value)
    return response


def register(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(add_security_headers)
