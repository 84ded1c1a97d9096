"""Logging out ends the session for good.

Flask's sessions live in the cookie, so a copy of the session cookie, or of the remember-me
cookie (valid for a year), taken before logout would still sign in after it. Both carry the
account's ``fs_uniquifier``; giving the account a new one at logout makes every copy
worthless. The price: logging out on one device ends the user's sessions on every device.
We chose that over server-side sessions (Flask-Session), which end one session but leave
the remember-me cookie working, need a session store of their own, and keep the session id
across login unless told otherwise.
"""

from __future__ import annotations

from flask_login import user_logged_out

from cms.accounts import service
from cms.extensions import db


@user_logged_out.connect
def _end_every_session_at_logout(app, user=None, **extra):
    if user is not None:
        service.end_sessions(user)
        db.session.commit()
