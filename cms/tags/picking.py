"""Tags on posts: reading the tags picked in a post's form, and adding or removing one tag
on a post (the posts list's bulk actions).

A post form sends its tags as one comma-separated value, as the tag picker (select2)
keeps it: each existing tag by its slug, each new one as ``+`` and the name typed. Slugs
are read as addresses, so a tag renamed or merged since the form was opened is still the
tag the person picked. Putting tags on a post is editing it (``Action.EDIT``); making a
new one needs ``TagAction.CREATE`` (``cms.posts.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cms.accounts.models import User
from cms.accounts.permissions import Someone
from cms.posts import service as posts
from cms.posts.models import Post
from cms.posts.policy import Action, TagAction, can_tag, require
from cms.tags import service
from cms.tags.models import Tag
from cms.tags.service import TagProblem

#: Marks a picked value that names a new tag rather than an existing tag's slug.
NEW = "+"
#: More than anyone tags one post with: a longer list is a mistake, or an attack.
MAX_PER_POST = 50


@dataclass(frozen=True)
class Picked:
    """The tags picked for a post, in the order picked: tags that exist, and the names of
    new ones, made when the post is saved (``tags_for``)."""

    choices: tuple[Tag | str, ...] = ()

    @property
    def new_names(self) -> list[str]:
        return [choice for choice in self.choices if isinstance(choice, str)]


def values(text: str | None) -> list[str]:
    """The picked values in ``text``, in order, each once."""
    seen: dict[str, None] = {}
    for value in (text or "").split(","):
        value = value.strip()
        if value:
            seen.setdefault(value, None)
    return list(seen)


def read(text: str | None, actor: Someone) -> Picked:
    """What ``text`` (a form's value) picks, for ``actor``.

    :raise TagProblem: for a tag that no longer exists, a new name that cannot be a tag's,
        a new tag ``actor`` may not make, or too many tags.
    """
    picked = values(text)
    if len(picked) > MAX_PER_POST:
        raise TagProblem(f"A post has at most {MAX_PER_POST} tags; {len(picked)} were picked.")
    slugs = [value for value in picked if not value.startswith(NEW)]
    found = service.by_address(slugs)
    gone = [slug for slug in slugs if slug not in found]
    if gone:
        raise TagProblem(
            f"The tag “{gone[0]}” no longer exists (it was deleted after this page was "
            "opened): remove it, or pick another."
        )
    choices: dict[int | str, Tag | str] = {}
    for value in picked:
        if not value.startswith(NEW):
            tag = found[value]
            choices.setdefault(tag.id, tag)  # two slugs of one tag (an old one, a merge)
            continue
        name = service.clean_name(value[len(NEW) :])
        existing = service.named(name)
        if existing is not None:  # typed, not picked: the tag that has the name
            choices.setdefault(existing.id, existing)
        elif not can_tag(actor, TagAction.CREATE):
            raise TagProblem(
                f"“{name}” is not a tag yet, and only editors make new tags here: pick one "
                "of the tags offered."
            )
        else:
            choices.setdefault(name.casefold(), name)
    return Picked(tuple(choices.values()))


def tags_for(picked: Picked, actor: Someone) -> list[Tag]:
    """The tags ``picked`` names, the new ones made now (added to the session, logged).

    :raise PermissionDenied: when ``actor`` may not make new tags.
    :raise TagProblem: when a new tag's name or address is taken meanwhile.
    """
    return [
        choice if isinstance(choice, Tag) else service.create_tag(actor, choice)
        for choice in picked.choices
    ]


def add(post: Post, tag: Tag, actor: User) -> bool:
    """Put ``tag`` on ``post``, saved as any edit is (the policy, a revision, the log).
    Returns whether it changed anything (False: the post had the tag).

    :raise PermissionDenied: when ``actor`` may not edit the post (nothing is changed).
    """
    require(actor, Action.EDIT, post)
    if tag in post.tags:
        return False
    post.tags.append(tag)
    posts.prepare_for_save(post, actor, is_new=False)
    return True


def remove(post: Post, tag: Tag, actor: User) -> bool:
    """Take ``tag`` off ``post``, saved as any edit is. Returns whether it changed anything.

    :raise PermissionDenied: when ``actor`` may not edit the post (nothing is changed).
    """
    require(actor, Action.EDIT, post)
    if tag not in post.tags:
        return False
    post.tags.remove(tag)
    posts.prepare_for_save(post, actor, is_new=False)
    return True
