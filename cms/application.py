"""The Flask class the CMS runs on: Flask, with absolute links that follow the settings."""

from __future__ import annotations

from typing import Any

from flask import Flask


class CMSFlask(Flask):
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
