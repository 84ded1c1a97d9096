"""Bare extension instances, bound to an app in ``create_app``.

Modules import these instead of the app, so nothing needs a circular import.
"""

from flask_caching import Cache
from flask_mailman import Mail
from flask_security import Security
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

from cms.accounts.passwords import CMSPasswordUtil
from cms.accounts.totp import OneTimeTotp
from cms.mail import MailUtil

# Constraint names that are the same on every database: SQLite batch migrations need a
# name to drop or alter a constraint, and alembic compares them to detect drift.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
mail = Mail()
csrf = CSRFProtect()
# The public pages' cache (cms/public/caching.py); its backend comes from the settings. No
# Jinja `{% cache %}` tag: pages are cached whole, by version, never by fragment.
cache = Cache(with_jinja2_ext=False)
# Every mail the app sends goes through Flask-Security's mail hook, hence cms.mail; every
# new password through one rule, hence cms.accounts.passwords; authenticator codes work
# once, hence cms.accounts.totp.
security = Security(mail_util_cls=MailUtil, password_util_cls=CMSPasswordUtil, totp_cls=OneTimeTotp)
