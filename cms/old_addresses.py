"""Old addresses of what readers reach by a slug (posts, authors, tags): a changed slug
keeps answering, with a 301 to the new one, through a table of old slugs for each kind.
Which old addresses each kind keeps, and who may take one, is the kind's own (see
``cms.tags.service`` for how tags differ and why)."""

from __future__ import annotations

from sqlalchemy import select

from cms.extensions import db


def remember_old_address(owner, old_slug: str, redirect_class: type, owner_field: str) -> None:
    """Keep ``old_slug`` as an old address of ``owner``, whose slug is now another.

    ``owner.old_slugs`` holds its ``redirect_class`` rows (``old_slug``, and the owner as
    ``owner_field``). A row that already holds ``old_slug`` (another owner gave it up before
    this one took it) now leads to ``owner``.
    """
    with db.session.no_autoflush:
        # Going back to an address it had: that address is the owner again, not a redirect.
        for redirect in list(owner.old_slugs):
            if redirect.old_slug == owner.slug:
                owner.old_slugs.remove(redirect)
        existing = db.session.scalar(
            select(redirect_class).where(redirect_class.old_slug == old_slug)
        )
    if existing is not None:
        setattr(existing, owner_field, owner)  # the address now leads here
    else:
        owner.old_slugs.append(redirect_class(old_slug=old_slug))
