"""Changing tags: creating, renaming, merging and deleting them. Every writer (the Tags
view, the post form, and later the API and the CLI) goes through here, so the policy is
checked, addresses are kept and the audit log is written the same way everywhere.

A tag's address is /tags/<slug>. Slugs are unique among tags, current and old: a renamed
tag keeps its old address, which answers 301 to the new one, and so does the address of
a tag merged into another. The bookkeeping is the one of posts and authors
(``cms.old_addresses``); where tags differ, the product asks for it:

- when an address is kept: always. Unlike posts, a tag has no private state (it shows on
  the site as soon as a published post has it), so every address it ever had was public;
- who may take an old address: no other tag, as for posts (``holder_of``), unlike authors,
  who may choose an address another author left. An author's address is a person's name,
  which two people may share over time; a tag's is its topic, and a link to /tags/<old>
  should keep meaning that topic, not whatever tag took the address later;
- merging (tags only): the merged tag's addresses, current and old, lead to the kept tag,
  which now has its posts; deleting frees them (404, and a new tag may take them), as
  purging a post or deleting an account frees theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from slugify import slugify
from sqlalchemy import func, insert, inspect, select, update

from cms.accounts.models import User
from cms.accounts.permissions import Someone
from cms.audit import service as audit
from cms.extensions import db
from cms.old_addresses import remember_old_address
from cms.posts.policy import TagAction, require_tag
from cms.tags.models import DESCRIPTION_MAX, NAME_MAX, SLUG_MAX, Tag, TagSlugRedirect, post_tags

#: What a tag's entry in the audit log keeps of each change.
AUDITED_FIELDS = ("name", "slug", "description")

# Room for a "-123" suffix when a slug is taken.
_BASE_MAX = SLUG_MAX - 8


#: What a writer says when the database refused a tag another request made at the same
#: moment, with the same address (the checks above passed for both).
MADE_MEANWHILE = (
    "Another tag got this name or address at the same moment; nothing was saved. Try again."
)


class TagProblem(ValueError):
    """The tag cannot be saved as it stands; the message says why, for a field error."""

    def __init__(self, message: str, field: str = "name") -> None:
        super().__init__(message)
        self.field = field


def normalise_slug(text: str | None) -> str:
    """A URL-safe slug, as posts make theirs (``cms.posts.slugs.normalise_slug``)."""
    return slugify(text or "", max_length=_BASE_MAX, word_boundary=True)


def clean_name(name: str | None) -> str:
    """A tag's name as it is kept: trimmed, with runs of white space made one space.

    :raise TagProblem: when it is empty, too long, or has a comma (commas separate tags
        wherever several are typed).
    """
    cleaned = " ".join((name or "").split())
    if not cleaned:
        raise TagProblem("A tag needs a name.")
    if "," in cleaned:
        raise TagProblem("A tag's name cannot have a comma: commas separate tags.")
    if len(cleaned) > NAME_MAX:
        raise TagProblem(f"A tag's name is at most {NAME_MAX} characters long.")
    return cleaned


@dataclass(frozen=True)
class Holder:
    """The tag that holds an address, as its current slug or as an old one."""

    tag: Tag
    as_old_address: bool

    def explain(self, slug: str) -> str:
        if self.as_old_address:
            return (
                f"The address /tags/{slug} is an old address of the tag “{self.tag.name}”, "
                "kept so that links to it keep working."
            )
        return f"The address /tags/{slug} belongs to the tag “{self.tag.name}”."


def holder_of(slug: str, exclude_tag_id: int | None = None) -> Holder | None:
    """The other tag whose address ``slug`` is, now or before (an old address redirects)."""
    current = select(Tag).where(Tag.slug == slug, Tag.id != (exclude_tag_id or 0))
    old = (
        select(Tag)
        .join(TagSlugRedirect)
        .where(TagSlugRedirect.old_slug == slug, Tag.id != (exclude_tag_id or 0))
    )
    # No autoflush: the tag being saved may be pending with its slug not filled in yet.
    with db.session.no_autoflush:
        if (tag := db.session.scalar(current.limit(1))) is not None:
            return Holder(tag, as_old_address=False)
        if (tag := db.session.scalar(old.limit(1))) is not None:
            return Holder(tag, as_old_address=True)
    return None


def unique_slug_from(name: str, exclude_tag_id: int | None = None) -> str:
    """A slug for ``name`` that no other tag holds, now or as an old address."""
    base = normalise_slug(name) or "tag"
    candidate, suffix = base, 2
    while holder_of(candidate, exclude_tag_id) is not None:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    return candidate


def named(name: str, exclude_tag_id: int | None = None) -> Tag | None:
    """The other tag with this name, whatever its case ("python" is "Python")."""
    query = select(Tag).where(func.lower(Tag.name) == func.lower(name))
    if exclude_tag_id is not None:
        query = query.where(Tag.id != exclude_tag_id)
    with db.session.no_autoflush:
        return db.session.scalar(query.limit(1))


def prepare_for_save(tag: Tag, actor: User, *, is_new: bool) -> None:
    """Check ``actor`` may save ``tag`` as it now stands, fill its slug, keep its old
    address if the slug changed, and log the change. Call it before the commit.

    :raise PermissionDenied: when ``actor`` may not create (or manage) tags.
    :raise TagProblem: when the name or the address cannot be this tag's.
    """
    # No flush before the changes are read: it would make the new values the "old" ones,
    # and the old address would be lost (loading the actor's roles is enough to flush).
    with db.session.no_autoflush:
        require_tag(actor, TagAction.CREATE if is_new else TagAction.MANAGE)
        _check_and_fill(tag)
        if not is_new:
            _keep_old_address(tag)
        changes = audit.changed_fields(tag, AUDITED_FIELDS)
    if is_new or changes:
        audit.record("tag.create" if is_new else "tag.edit", tag, changes, actor=actor)


def check(
    name: str | None, slug: str | None, description: str | None, tag_id: int | None = None
) -> tuple[str, str, str]:
    """A tag's name, slug and description as they would be saved (for the tag ``tag_id``,
    None for a new one): cleaned, the slug made from the name when none is typed.

    :raise TagProblem: for the field that cannot be so (``TagProblem.field``).
    """
    name = clean_name(name)
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX:
        raise TagProblem(
            f"A description is at most {DESCRIPTION_MAX} characters long.", "description"
        )
    with db.session.no_autoflush:
        if (same := named(name, tag_id)) is not None:
            raise TagProblem(
                f"The tag “{same.name}” (/tags/{same.slug}) exists already: use it, or merge "
                "the two."
            )
        typed = normalise_slug(slug)
        if typed and (holder := holder_of(typed, tag_id)) is not None:
            raise TagProblem(holder.explain(typed), "slug")
        return name, typed or unique_slug_from(name, tag_id), description


def _check_and_fill(tag: Tag) -> None:
    tag.name, tag.slug, tag.description = check(tag.name, tag.slug, tag.description, tag.id)


def _keep_old_address(tag: Tag) -> None:
    history = inspect(tag).attrs.slug.history
    old_slug = history.deleted[0] if history.deleted else None
    if old_slug and old_slug != tag.slug:
        remember_old_address(tag, old_slug, TagSlugRedirect, "tag")


def create_tag(actor: Someone, name: str, slug: str = "", description: str = "") -> Tag:
    """A new tag, added to the session (the caller commits).

    :raise PermissionDenied: when ``actor`` may not create tags.
    :raise TagProblem: when the name or address is taken or not one.
    """
    tag = Tag(name=name, slug=slug, description=description)
    db.session.add(tag)
    try:
        prepare_for_save(tag, actor, is_new=True)
    except Exception:
        if tag in db.session:  # (a failed flush has put it out already)
            db.session.expunge(tag)  # refused: nothing of it may reach a later flush
        raise
    return tag


def merge(merged: Tag, kept: Tag, actor: User) -> int:
    """Fold ``merged`` into ``kept``: its posts get ``kept`` (those that had both keep
    one), its addresses (current and old) lead to ``kept``, and it is deleted. Returns how
    many posts got ``kept``. Not committed.

    :raise PermissionDenied: when ``actor`` may not manage tags.
    :raise TagProblem: when the two are one tag.
    """
    require_tag(actor, TagAction.MANAGE)
    if merged.id == kept.id:
        raise TagProblem("A tag cannot be merged into itself.", "into")
    already = select(post_tags.c.post_id).where(post_tags.c.tag_id == kept.id)
    moving = select(post_tags.c.post_id, kept.id).where(
        post_tags.c.tag_id == merged.id, post_tags.c.post_id.not_in(already)
    )
    # The database copies each post's publish time into the new rows (its trigger).
    # RETURNING, not rowcount: SQLAlchemy keeps the rowcount of UPDATE and DELETE only
    # (an INSERT from a SELECT said -1 on PostgreSQL).
    moved = len(
        db.session.execute(
            insert(post_tags)
            .from_select(["post_id", "tag_id"], moving)
            .returning(post_tags.c.post_id)
        ).all()
    )
    db.session.execute(
        update(TagSlugRedirect).where(TagSlugRedirect.tag_id == merged.id).values(tag_id=kept.id)
    )
    details = {"merged": merged.name, "merged_slug": merged.slug, "posts_moved": moved}
    audit.record("tag.merge", kept, details, actor=actor)
    slug = merged.slug
    # What the session holds of either tag's rows changed underneath it; left loaded, the
    # merged tag's old addresses (moved to the kept one) would be deleted with it.
    db.session.expire(merged, ["old_slugs"])
    db.session.delete(merged)
    db.session.flush()  # its slug is free only once it is gone
    db.session.add(TagSlugRedirect(old_slug=slug, tag_id=kept.id))
    db.session.expire(kept)
    return moved


def delete(tag: Tag, actor: User) -> int:
    """Delete ``tag``: its posts lose it, its addresses lead nowhere. Returns how many
    posts had it. Not committed.

    :raise PermissionDenied: when ``actor`` may not manage tags.
    """
    require_tag(actor, TagAction.MANAGE)
    count = posts_tagged(tag)
    audit.record("tag.delete", tag, {"slug": tag.slug, "posts": count}, actor=actor)
    # The database removes its rows in post_tags and its old addresses (ON DELETE CASCADE).
    db.session.delete(tag)
    return count


def posts_tagged(tag: Tag) -> int:
    """How many posts have ``tag``, in any state (the dashboard's figure)."""
    return db.session.scalar(select(func.count()).where(post_tags.c.tag_id == tag.id))


def find(slug: str) -> Tag | None:
    """The tag whose current address is ``slug``."""
    return db.session.scalar(select(Tag).where(Tag.slug == slug))


def tag_for_old_slug(slug: str) -> Tag | None:
    """The tag an old address leads to (a renamed tag, or the one a tag was merged into)."""
    return db.session.scalar(
        select(Tag).join(TagSlugRedirect).where(TagSlugRedirect.old_slug == slug)
    )


def by_address(slugs: list[str]) -> dict[str, Tag]:
    """The tags that ``slugs`` name, as current or old addresses (a tag renamed or merged
    since someone read its slug): {slug: tag} for those that still lead to one."""
    if not slugs:
        return {}
    found = {tag.slug: tag for tag in db.session.scalars(select(Tag).where(Tag.slug.in_(slugs)))}
    rest = [slug for slug in slugs if slug not in found]
    if rest:
        moved = db.session.execute(
            select(TagSlugRedirect.old_slug, Tag)
            .join(Tag, TagSlugRedirect.tag_id == Tag.id)
            .where(TagSlugRedirect.old_slug.in_(rest))
        )
        found.update({old_slug: tag for old_slug, tag in moved})
    return found
