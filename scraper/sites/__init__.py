"""The registry of declared sites: every module here with a `SITE` is one.

Sites are found by walking this package, so adding a site is adding its module (and its
fixtures): no list elsewhere to keep in step.
"""

import importlib
import pkgutil
from functools import lru_cache

from scraper.sites.base import Rules, Site, generic_site


def _declared() -> dict[str, Site]:
    found: dict[str, Site] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        site = getattr(importlib.import_module(f"{__name__}.{module}"), "SITE", None)
        if isinstance(site, Site):
            found[site.name] = site
    return found


SITES: dict[str, Site] = _declared()


def site_for_url(url: str) -> Site:
    """The declared site that owns `url`, or a generic one named after its host."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme.isalpha():
        return _site_of(url)
    # Which site owns a URL depends on its host and port alone, and a crawl asks for every
    # URL of every sitemap (twice: 0.15 ms each, a tenth of making its request): once per
    # netloc is enough. Sites are frozen, so the one answer can be shared.
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return _site_of_netloc(f"{scheme}://{netloc}/")


@lru_cache(maxsize=4096)
def _site_of_netloc(origin: str) -> Site:
    return _site_of(origin)


def _site_of(url: str) -> Site:
    # (the generic one made only when needed: this runs for every article written)
    return next((site for site in SITES.values() if site.owns(url)), None) or generic_site(url)


__all__ = ["SITES", "Rules", "Site", "generic_site", "site_for_url"]
