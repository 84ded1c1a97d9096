"""Security headers on every response.

The public site runs no script at all, so its policy allows none. Images in posts may come
from any HTTPS host: authors embed pictures by URL. Flask-Admin's pages use
inline event handlers (its delete confirmations), so the dashboard and login screens allow
inline scripts from this origin only; everything they show is escaped by the templates.
"""

from __future__ import annotations

from flask import Response, request

_COMMON = (
    "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'; "
)
PUBLIC_POLICY = _COMMON + "img-src 'self' https: data:; style-src 'self'; script-src 'none'"
ADMIN_POLICY = (
    _COMMON + "img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'"
)
_ADMIN_PREFIXES = (
    "/admin", "/login", "/logout", "/reset", "/change", "/verify", "/invitation", "/register",
    "/confirm",
)  # fmt: skip


def add_security_headers(response: Response) -> Response:
    admin = request.path.startswith(_ADMIN_PREFIXES)
    response.headers.setdefault("Content-Security-Policy", ADMIN_POLICY if admin else PUBLIC_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if admin:
        # Signed-in pages must not come back from the browser cache after logout (Back button).
        response.headers.setdefault("Cache-Control", "no-store")
    return response
