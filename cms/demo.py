"""A few sample posts for a local demo (``flask cms demo``)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cms import clock
from cms.accounts.models import User
from cms.extensions import db
from cms.posts import service
from cms.posts.models import Post, PostStatus

_POSTS = [
    (
        "Welcome to your new CMS",
        "What this site is and how to start writing.",
        """This is a demo post. Log in to the **dashboard** at `/admin` to write your own.

## What you can do

- Write posts in Markdown, with headings, lists and [links](https://flask.palletsprojects.com/).
- Keep a post as a draft until it is ready, then publish it.
- Give authors, editors and admins the access they need, and no more.

```python
print("Code blocks keep their formatting.")
```
""",
        PostStatus.PUBLISHED,
    ),
    (
        "Writing in Markdown",
        "A short tour of the formatting you can use.",
        """Markdown keeps writing simple:

1. *Emphasis* and **strong** text
2. > Quotations
3. Tables:

| Role   | May publish |
|--------|-------------|
| Author | no          |
| Editor | yes         |
""",
        PostStatus.PUBLISHED,
    ),
    (
        "An unfinished draft",
        "Drafts are visible in the dashboard only.",
        "Readers cannot see this post until an editor publishes it.",
        PostStatus.DRAFT,
    ),
]


def add_demo_posts(author: User) -> int:
    """Add the sample posts if the site has no posts yet; returns how many were added."""
    if db.session.scalar(select(func.count(Post.id))):
        return 0
    now = clock.utcnow()
    for age, (title, summary, body, status) in enumerate(reversed(_POSTS)):
        published_at = now - timedelta(days=age) if status is PostStatus.PUBLISHED else None
        service.create_post(
            author,
            title=title,
            summary=summary,
            body=body,
            status=status,
            published_at=published_at,
        )
    return len(_POSTS)
