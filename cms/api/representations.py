"""Posts, tags and authors as the API shows them: plain dicts for the schemas of
``cms.api.schemas``, with absolute links (``cms.public.addresses``)."""

from __future__ import annotations

from flask import url_for

from cms.api.schemas import LIST_FIELDS
from cms.posts import rendered
from cms.public import addresses


def api_url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def author_ref(author) -> dict:
    """``author``: a ``PublicAuthor`` or an account (the same attributes)."""
    slug = author.slug if author is not None else None
    return {
        "name": author.display_name if author is not None else "",
        "slug": slug,
        "url": addresses.author_url(slug) if slug else None,
    }


def tag_refs(tags) -> list[dict]:
    return [
        {"name": tag.name, "slug": tag.slug, "url": addresses.tag_url(tag.slug)} for tag in tags
    ]


def listed_post(post, tags, fields: frozenset[str]) -> dict:
    """A post of a list (a ``paging.ListedPost`` or a ``Post``), with the ``fields`` asked
    for: each is worked out only when asked."""
    makers = {
        "id": lambda: post.id,
        "slug": lambda: post.slug,
        "title": lambda: post.title,
        "summary": lambda: post.summary,
        "excerpt": lambda: rendered.excerpt(post),
        "published_at": lambda: post.published_at,
        "author": lambda: author_ref(post.author),
        "tags": lambda: tag_refs(tags),
        "url": lambda: addresses.post_url(post.slug),
        "api_url": lambda: api_url("api_v1.post_detail", slug=post.slug),
    }
    return {name: make() for name, make in makers.items() if name in fields}


def full_post(post, tags) -> dict:
    """A ``publication.PublishedPost`` read with its Markdown (``body``), and its tags."""
    return {
        **listed_post(post, tags, frozenset(LIST_FIELDS)),
        "updated_at": post.updated_at,
        "body_markdown": post.body,
        "body_html": str(rendered.body_html(post)),
        "cover_image_url": post.cover_image_url,
        "seo_title": post.seo_title,
        "seo_description": post.seo_description,
    }
