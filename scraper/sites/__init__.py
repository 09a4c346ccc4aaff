"""The registry of declared sites: one import and one entry per site."""

from scraper.sites import globalresearch
from scraper.sites.base import Rules, Site, generic_site

SITES: dict[str, Site] = {site.name: site for site in (globalresearch.SITE,)}


def site_for_url(url: str) -> Site:
    """The declared site that owns `url`, or a generic one named after its host."""
    return next((site for site in SITES.values() if site.owns(url)), generic_site(url))


__all__ = ["SITES", "Rules", "Site", "generic_site", "site_for_url"]
