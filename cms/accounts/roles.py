"""The built-in roles. Their names are what the permission rules test for."""

ADMIN = "admin"
EDITOR = "editor"
AUTHOR = "author"

#: Every role that may open the admin dashboard, with what it is for.
BUILT_IN_ROLES: dict[str, str] = {
    ADMIN: "Manages everything: posts, users and roles.",
    EDITOR: "Manages and publishes every post.",
    AUTHOR: "Writes posts and manages their own drafts; cannot publish.",
}

STAFF_ROLES = frozenset(BUILT_IN_ROLES)

#: Roles that may act on every post, whoever wrote it.
ALL_POSTS_ROLES = frozenset({ADMIN, EDITOR})
