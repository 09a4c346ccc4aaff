"""What a site declaration holds: where to find articles, and how to read and clean them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from scraper.extraction.boilerplate import TextRule
from scraper.urls import host_and_port, host_of, netloc_of, same_site


@dataclass(frozen=True)
class Rules:
    """Extraction rules of one site. Each selector tuple is a fallback chain, first hit wins;
    the generic cascade runs after them, so a site lists only what it knows."""

    title: tuple[str, ...] = ()
    # Cut from og:title/<title>, e.g. " - Global Research".
    title_suffix: str | None = None
    subtitle: tuple[str, ...] = ()
    byline: tuple[str, ...] = ()
    # A visible date line, with the date in the group "date": "Global Research, May 30, 2019".
    date_line: str | None = None
    body: tuple[str, ...] = ()
    # Elements dropped from the body before it is split into paragraphs.
    drop: tuple[str, ...] = ()
    # Paragraphs dropped from the body, on top of the generic rules.
    text_rules: tuple[TextRule, ...] = ()
    # Visible labels followed by tag links, and the kind each gives: {"Region": "region"}.
    tag_labels: dict[str, str] = field(default_factory=dict)
    # A line that names the authors where no byline does: "Articles by: …".
    author_footer: str | None = None
    # The sentence that names the original source of a republished article.
    source_line: str | None = None


@dataclass(frozen=True)
class Site:
    """A news site: its domains, how its articles are discovered, and its extraction rules."""

    name: str
    title: str
    domains: tuple[str, ...]
    home: str
    language: str | None = None
    timezone: str | None = None
    # Path (and query) of an article page.
    article_path: str | None = None
    # Whether an article URL keeps its query string when made canonical.
    keep_query: bool = True
    feeds: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    # Path of page N of a listing.
    listing_page: str = "{listing}/page/{page}/"
    # Links to articles inside a listing page, and each item's date text.
    listing_item: str | None = None
    listing_link: str = "a::attr(href)"
    listing_date: str | None = None
    max_listing_pages: int = 50
    # WordPress REST API listing, page N, e.g. "/wp-json/wp/v2/posts?page={page}&per_page=20".
    rest_posts: str | None = None
    # The User-Agent sent to the site, where its bot wall refuses the tool's own (None: the
    # tool's). robots.txt is still read for the tool's name.
    user_agent: str | None = None
    rules: Rules = field(default_factory=Rules)

    @property
    def host(self) -> str:
        return re.sub(r"^https?://", "", self.home).split("/")[0]

    def owns(self, url: str) -> bool:
        return same_site(url, self.domains)

    def is_article_url(self, url: str) -> bool:
        if self.article_path is None:
            return True
        path = re.sub(r"^https?://[^/]+", "", url)
        return re.fullmatch(self.article_path, path) is not None


def generic_site(url: str) -> Site:
    """A site with no declaration: the generic cascade alone, named after its host and its
    port (when not the default). Its home keeps the host as given (www. and a port too), so
    canonical URLs stay fetchable."""
    host = host_of(url) or "unknown"
    name = host_and_port(url) or host
    return Site(name=name, title=name, domains=(host,), home=f"https://{netloc_of(url) or host}")
