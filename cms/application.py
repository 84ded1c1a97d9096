"""The Flask class the CMS runs on: Flask, with absolute links that follow the settings,
and a session that costs nothing to a reader who has none."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin


class ReaderFriendlySessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, but a request with no session cookie (most readers)
    gets its empty session without building the cookie's signer first: that took a tenth
    of a page's time when served from the page cache. A request with a cookie, and every
    answer, go through Flask's own code."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # An empty session left empty: what Flask's own code does then, without working out
        # the cookie's settings first.
        if not session and not session.modified:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


class CMSFlask(Flask):
    session_interface = ReaderFriendlySessionInterface()

    def url_for(
        self,
        /,
        endpoint: str,
        *,
        _anchor: str | None = None,
        _method: str | None = None,
        _scheme: str | None = None,
        _external: bool | None = None,
        **values: Any,
    ) -> str:
        """Absolute links (in mails, share links, canonical links) use ``PREFERRED_URL_SCHEME``.

        Behind a proxy that ends TLS the request arrives over plain http, and Flask would
        build the links in mails with it. The host comes from ``SERVER_NAME`` already.
        """
        if _external and _scheme is None:
            _scheme = self.config["PREFERRED_URL_SCHEME"]
        return super().url_for(
            endpoint,
            _anchor=_anchor,
            _method=_method,
            _scheme=_scheme,
            _external=_external,
            **values,
        )
