"""The public site: what readers see."""

# Their routes are on the public blueprint (cms.public.views).
from cms.public import feeds, meta, sitemap  # noqa: F401
