"""The editor's optional fields for search engines and link previews (``cms.public.meta``):
a cover image address and an SEO title and description, each empty for "the default"."""

from __future__ import annotations

from urllib.parse import urlsplit

from wtforms.validators import ValidationError

FIELDS = ("cover_image_url", "seo_title", "seo_description")


def _text(value):
    return value.strip() if isinstance(value, str) else ""


def _web_address(form, field) -> None:
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.hostname or " " in field.data:
        raise ValidationError("Give a full web address, starting with https:// or http://.")


FORM_ARGS = {
    "cover_image_url": {
        "label": "Cover image address",
        "filters": [_text],
        "validators": [_web_address],
        "description": "Optional: the picture link previews show, e.g. "
        "https://example.org/cover.jpg.",
    },
    "seo_title": {
        "label": "SEO headline",
        "filters": [_text],
        "description": "Optional: the headline search results and link previews show, "
        "when not the post's title.",
    },
    "seo_description": {
        "label": "SEO description",
        "filters": [_text],
        "description": "Optional: the description they show, when not the summary.",
    },
}
