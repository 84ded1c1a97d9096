"""Making, listing, revoking and checking personal API tokens. The dashboard, the CLI and
(later) the API call these.

A token is ``cms_`` and 43 URL-safe characters (``secrets.token_urlsafe(32)``: 256 random
bits). Only its SHA-256 hash is stored. A slow password hash (bcrypt) protects secrets that
people choose and that can be guessed; nobody can guess 256 random bits, so a fast hash is
as safe here, and it lets every API request find its token with one indexed look-up instead
of spending a bcrypt round on each request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from cms import clock
from cms.accounts.models import User
from cms.accounts.permissions import may_revoke_token
from cms.audit import service as audit
from cms.database import MAX_ID
from cms.extensions import db
from cms.tokens.models import NAME_MAX, ApiToken

#: What every token starts with: people (and secret scanners) recognise one in a config file.
TOKEN_PREFIX = "cms_"  # noqa: S105 - a marker, not a secret
_RANDOM_BYTES = 32
#: The token's start kept in clear for lists: ``cms_`` and 8 random characters. They say
#: which token is which; the 200-odd random bits after them still keep it unguessable.
_SHOWN_LENGTH = len(TOKEN_PREFIX) + 8
#: Longer than any token this module makes: anything longer is refused before hashing.
_LONGEST = 100
#: How often, at most, a token's use is written down: a program calling many times a
#: second would otherwise turn every read into a write.
LAST_USED_EVERY = timedelta(minutes=1)
#: The longest expiry offered (ten years); none at all is allowed too.
MAX_EXPIRY_DAYS = 3650


class TokenError(ValueError):
    """A token that cannot be made or changed as asked; the message says why."""


class NotAllowed(TokenError):
    """The acting user may not do this to this token."""


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create(
    owner: User, name: str, *, expires_in_days: int | None = None, by: User | None
) -> tuple[ApiToken, str]:
    """Make a token for ``owner`` (not committed) and return it with its plaintext, which
    exists only in this return value: show it once, it cannot be recovered.

    :raise TokenError: for an empty or too long name, one the owner already gave a token,
        an expiry out of range, or a deactivated owner.
    """
    name = (name or "").strip()
    if not name:
        raise TokenError("Give the token a name, such as the program that will use it.")
    if len(name) > NAME_MAX:
        raise TokenError(f"The name is too long: at most {NAME_MAX} characters.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise TokenError(f"The expiry must be between 1 and {MAX_EXPIRY_DAYS} days.")
    if not owner.active:
        raise TokenError(f"{owner.email} is deactivated: their tokens would open nothing.")
    taken = db.session.scalar(
        select(ApiToken.id).where(ApiToken.user_id == owner.id, ApiToken.name == name)
    )
    if taken is not None:
        raise TokenError(
            f"There is already a token named {name!r} (revoked ones keep their names): "
            "choose another name."
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(_RANDOM_BYTES)
    now = clock.utcnow()
    token = ApiToken(
        user=owner,
        name=name,
        token_hash=hash_token(raw),
        prefix=raw[:_SHOWN_LENGTH],
        created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    db.session.add(token)
    changes = {"name": name, "prefix": token.prefix, "expires_at": token.expires_at}
    audit.record("token.create", token, changes, actor=by, target_label=_label(token))
    return token, raw


def tokens_of(owner: User) -> list[ApiToken]:
    """``owner``'s tokens, newest first, revoked and expired ones included."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == owner.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def find(token_id: int) -> ApiToken | None:
    """The token with this id; None for no token, and for a number no id can be (one
    bound past MAX_ID fails on either database)."""
    if not 1 <= token_id <= MAX_ID:
        return None
    return db.session.get(ApiToken, token_id)


def revoke(token: ApiToken, *, by: User | None) -> bool:
    """Revoke ``token`` now (not committed); ``by`` None is the CLI, acting as the system.

    :return: False when it was revoked already (nothing changes, nothing is recorded).
    :raise NotAllowed: when the policy does not let ``by`` revoke it.
    """
    if by is not None and not may_revoke_token(by, token):
        raise NotAllowed("You may not revoke this token.")
    if token.revoked_at is not None:
        return False
    token.revoked_at = clock.utcnow()
    audit.record(
        "token.revoke", token, {"prefix": token.prefix}, actor=by, target_label=_label(token)
    )
    return True


def authenticate(raw: str | None) -> User | None:
    """The user ``raw`` acts as, or None (see ``authenticate_token``)."""
    token = authenticate_token(raw)
    return token.user if token is not None else None


def authenticate_token(raw: str | None) -> ApiToken | None:
    """The token ``raw`` is, with its owner, or None: unknown, revoked or expired tokens
    and deactivated users get nothing.

    The user and their roles are read from the database now, whatever the session held, so
    a deactivation or a role taken away counts from the next request on. Commits when it
    records the token's use (at most once per ``LAST_USED_EVERY``), which nothing else in a
    reading request would.
    """
    if not raw or len(raw) > _LONGEST or not raw.startswith(TOKEN_PREFIX):
        return None
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == hash_token(raw))
        .options(joinedload(ApiToken.user).selectinload(User.roles))
        .execution_options(populate_existing=True)
    )
    now = clock.utcnow()
    if token is None or token.state_at(now) != "active" or not token.user.active:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        _note_use(token, now)
    return token


def _note_use(token: ApiToken, now) -> None:
    # Conditional in SQL too: of several requests at the same moment, one writes.
    db.session.execute(
        update(ApiToken)
        .where(
            ApiToken.id == token.id,
            or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at <= now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _label(token: ApiToken) -> str:
    return f"{token.name} ({token.user.email})"
