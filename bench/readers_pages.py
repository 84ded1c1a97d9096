"""The readers' pages that read the whole site rather than a page of it: ``/tags`` (every
tag with its published count) and the sitemap (its index, a posts file, the pages file).
Each is found as a crawler finds it: the files from the index, the index from robots.txt.
Their references are the plain grouped or ranged queries that read the same rows."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import Select, func, select, union_all

from cms import clock
from cms.accounts.models import User
from cms.posts.models import Post
from cms.tags.models import Tag, post_tags

from .pages import Page

_LOC = re.compile(r"<loc>([^<]+)</loc>")
_SITEMAP = re.compile(r"^Sitemap: (\S+)$", re.MULTILINE)


def _published():
    return Post.is_published_at(clock.utcnow())


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def discover(client, app) -> list[Page]:
    size = app.config["SITEMAP_PAGE_SIZE"]
    pages = [Page("public tags, each with its count", "/tags", _tags_reference)]
    found = _SITEMAP.search(client.get("/robots.txt").get_data(as_text=True))
    if found is None:
        return [*pages, Page("sitemap", None, None, note="robots.txt names no sitemap")]
    index = _path(found.group(1))
    listed = [_path(url) for url in _LOC.findall(client.get(index).get_data(as_text=True))]
    posts_files = [path for path in listed if path.startswith("/sitemap-posts-")]
    if not posts_files:
        note = f"one file: {len(listed):,} addresses under {size:,}"
        return [*pages, Page("sitemap", index, _posts_reference(0, None), note=note)]
    pages.append(
        Page(
            "sitemap index",
            index,
            lambda: _blocks_reference(size),
            note=f"{len(listed)} files; reference: the posts grouped by block",
        )
    )
    middle = posts_files[len(posts_files) // 2]
    number = int(re.search(r"(\d+)\.xml$", middle).group(1))
    pages.append(
        Page(
            "sitemap, one posts file",
            middle,
            _posts_reference((number - 1) * size, number * size),
            note=f"file {number} of {len(posts_files)}",
        )
    )
    pages_file = next((path for path in listed if path.startswith("/sitemap-pages-")), None)
    pages.append(
        Page(
            "sitemap, home, tag and author pages",
            pages_file,
            _pages_reference,
            note="" if pages_file else "the index lists no pages file",
        )
    )
    return pages


def _tags_reference() -> Select:
    return (
        select(Tag.name, Tag.slug, func.count())
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(_published())
        .group_by(Tag.id)
        .order_by(Tag.name)
    )


def _blocks_reference(size: int) -> Select:
    block = (Post.id - 1) // size
    return (
        select(block, func.count(), func.max(Post.updated_at))
        .where(_published())
        .group_by(block)
        .order_by(block)
    )


def _posts_reference(after_id: int, last_id: int | None) -> Callable[[], Select]:
    def reference() -> Select:
        query = select(Post.slug, Post.updated_at).where(_published(), Post.id > after_id)
        query = query if last_id is None else query.where(Post.id <= last_id)
        return query.order_by(Post.id)

    return reference


def _pages_reference() -> Select:
    tags = (
        select(Tag.slug, func.max(Post.updated_at))
        .join(post_tags, post_tags.c.tag_id == Tag.id)
        .join(Post, Post.id == post_tags.c.post_id)
        .where(_published())
        .group_by(Tag.id)
    )
    authors = (
        select(User.slug, func.max(Post.updated_at))
        .join(Post, Post.author_id == User.id)
        .where(_published())
        .group_by(User.id)
    )
    return union_all(tags, authors)
