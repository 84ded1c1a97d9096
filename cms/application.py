"""The Flask class the CMS runs on: Flask, with absolute links that follow the settings,
and a session that costs nothing to a reader who has none."""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, current_app
from flask.globals import _cv_request
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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        #: Addresses built in requests, by what they depend on (``_address_key``).
        self._addresses: dict[tuple, str] = {}

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
        key = _address_key(endpoint, _anchor, _method, _scheme, _external, values)
        if key is not None:
            address = self._addresses.get(key)
            if address is None:
                if len(self._addresses) >= _ADDRESSES_KEPT:
                    self._addresses.clear()
                address = self._addresses[key] = super().url_for(
                    endpoint, _scheme=_scheme, _external=_external, **values
                )
            return address
        return super().url_for(
            endpoint,
            _anchor=_anchor,
            _method=_method,
            _scheme=_scheme,
            _external=_external,
            **values,
        )


_PLAIN = frozenset({str, int, float, bool, type(None)})
#: At most this many addresses are kept (the Host header is the client's to choose: with no
#: bound, a client could fill the memory); past it, the store starts again.
_ADDRESSES_KEPT = 4096


def _address_key(
    endpoint: str,
    anchor: str | None,
    method: str | None,
    scheme: str | None,
    external: bool | None,
    values: dict[str, Any],
) -> tuple | None:
    """What an address built in this request depends on, or None to build it afresh.

    Every page links the same few addresses (the layout's, the static files'): building
    each with the router took a tenth of a public page's time. The router's answer depends
    on the endpoint and values, on the request only through its script root, host and
    scheme, and on the SERVER_NAME setting (the URL map does not change while the app
    serves). Values that are not plain (an object, a list) are built afresh each time."""
    context = _cv_request.get(None)
    if context is None or anchor or method or endpoint.startswith("."):
        return None
    environ = context.request.environ
    if not all(type(value) in _PLAIN for value in values.values()):
        return None  # an object as a value: its address could change with it
    key = (
        endpoint,
        scheme,
        external,
        environ.get("SCRIPT_NAME", ""),
        environ.get("HTTP_HOST"),
        environ.get("SERVER_NAME"),
        environ.get("SERVER_PORT"),
        environ["wsgi.url_scheme"],
        current_app.config["SERVER_NAME"],
        *sorted(values.items()),
    )
    return key
