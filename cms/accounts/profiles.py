"""Authors' public profiles: the address of an author page (``User.slug``), the name and the
bio readers see, and who may change them. Readers never see an e-mail address.

An address is made once, from the name, when the account is made, and then kept: a later
change of name does not move the page, so links to it keep working. Only someone who may
edit the profile changes it, on purpose (``may_edit_profile``), and the address it leaves
keeps leading to the page (``AuthorSlugRedirect``) until another author takes it: the
author who holds an address now always wins over an old one.
"""

from __future__ import annotations

from slugify import slugify
from sqlalchemy import inspect, select
from sqlalchemy.orm import aliased

from cms.accounts.models import AuthorSlugRedirect, User
from cms.accounts.roles import ADMIN
from cms.extensions import db
from cms.old_addresses import remember_old_address

SLUG_MAX = User.__table__.c.slug.type.length
BIO_MAX = User.__table__.c.bio.type.length
# Room for a "-123" suffix when an address is taken.
_BASE_MAX = SLUG_MAX - 10


class ProfileProblem(ValueError):
    """A profile field that cannot be saved as typed; ``field`` names it."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def may_edit_profile(actor: User | None, user: User) -> bool:
    """Whether ``actor`` may change ``user``'s public name, address and bio: their own, or
    anyone's for an admin. The one rule; the dashboard asks here."""
    if actor is None:
        return False
    return actor.id == user.id or ADMIN in actor.role_names


def normalise_slug(text: str | None) -> str:
    return slugify(text or "", max_length=_BASE_MAX, word_boundary=True)


def unique_slug_from(name: str | None, exclude_user_id: int | None = None) -> str:
    """An address for ``name`` that no other user holds, now or as an old address that still
    leads to them ("author" when there is no name). Only a person's own choice takes over
    an address another author gave up (``check_profile``), never a made-up one."""
    base = normalise_slug(name) or "author"
    candidate, number = base, 1
    while _holder(candidate, exclude_user_id) or _left_by_another(candidate, exclude_user_id):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def give_address(user: User) -> None:
    """Make ``user``'s address from their name if they have none yet."""
    if not user.slug:
        user.slug = unique_slug_from(user.full_name, user.id)


def check_profile(user: User, slug: str | None, bio: str | None) -> tuple[str, str | None]:
    """The address and bio as they would be saved for ``user``: an empty address is made
    from the name; an empty bio is none.

    :raise ProfileProblem: for an address another user holds or with nothing to keep of
        what was typed (only punctuation), or a bio too long.
    """
    bio = (bio or "").strip() or None
    if bio is not None and len(bio) > BIO_MAX:
        raise ProfileProblem(f"A bio is at most {BIO_MAX} characters long.", "bio")
    typed = normalise_slug(slug)
    if slug and slug.strip() and not typed:
        raise ProfileProblem("An address needs at least one letter or digit.", "slug")
    if typed and _holder(typed, user.id):
        raise ProfileProblem(f"The address /authors/{typed} is another author's.", "slug")
    return typed or unique_slug_from(user.full_name, user.id), bio


def set_profile(user: User, slug: str | None, bio: str | None) -> None:
    """Check and set ``user``'s address and bio (not committed). An empty address keeps the
    one they have; the address they leave keeps leading to their page. Whoever calls this
    has asked ``may_edit_profile``; ``service.save_user`` or ``save_profile`` audits it.

    :raise ProfileProblem: as ``check_profile`` does.
    """
    history = inspect(user).attrs.slug.history
    # The address as loaded: a form may already have written what was typed over it.
    before = history.deleted[0] if history.deleted else user.slug
    user.slug, user.bio = check_profile(user, (slug or "").strip() or before, bio)
    if before and before != user.slug:
        _keep_old_address(user, before)


def _keep_old_address(user: User, old_slug: str) -> None:
    remember_old_address(user, old_slug, AuthorSlugRedirect, "user")


def author_for_old_slug(slug: str) -> User | None:
    """The author whose page was at ``slug`` before, unless an author holds it now."""
    holder = aliased(User)  # not correlated with the author looked up
    held_now = select(holder.id).where(holder.slug == slug).exists()
    return db.session.scalar(
        select(User)
        .join(AuthorSlugRedirect, AuthorSlugRedirect.user_id == User.id)
        .where(AuthorSlugRedirect.old_slug == slug, ~held_now)
    )


def _holder(slug: str, exclude_user_id: int | None) -> bool:
    query = select(User.id).where(User.slug == slug, User.id != (exclude_user_id or 0))
    with db.session.no_autoflush:
        return db.session.scalar(query.limit(1)) is not None


def _left_by_another(slug: str, exclude_user_id: int | None) -> bool:
    query = select(AuthorSlugRedirect.id).where(
        AuthorSlugRedirect.old_slug == slug, AuthorSlugRedirect.user_id != (exclude_user_id or 0)
    )
    with db.session.no_autoflush:
        return db.session.scalar(query.limit(1)) is not None
