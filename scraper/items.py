"""What flows through the Scrapy pipelines: a fetched page, then the article made of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from scraper.extraction.encoding import decode_page, page_encoding
from scraper.extraction.record import Article

if TYPE_CHECKING:
    from scraper.extraction.record import Extraction
    from scraper.extraction.repeats import RepeatStore


@dataclass
class Page:
    """One fetched article page, as the server sent it."""

    url: str  # canonical URL of the article it should hold
    fetched_url: str  # where it was really fetched from (a mirror, a redirect target)
    status: int
    headers: dict[str, str] = field(repr=False)
    body: bytes = field(repr=False)
    encoding: str  # the encoding the text is read in (see decode_page), as `pages` stores it
    fetched_at: str
    site: str
    # Fetched as the original source of an archived article (--follow-sources): kept
    # whatever its date, since its republication is in the crawl's window.
    followed_source: bool = False
    # What the fetch was, as `pages.kind` stores it (scraper/archive/retention.py): "blocked",
    # a kind of page that is no article (front, tag, error...), "discovery" (a feed,
    # sitemap...); None until the extraction says.
    kind: str | None = None
    # The server answered 304 and the archive's stored copy stands in for the body: nothing
    # new to store (scraper/conditional.py).
    replayed: bool = False

    @classmethod
    def of_response(cls, response: Any, url: str, site: str, **fields: Any) -> Page:
        """The page a Scrapy response holds, stored under `url` (an article's canonical URL,
        a feed's address); `fields`: the rest (followed_source, kind, replayed)."""
        headers = {k.decode("latin-1"): b", ".join(v).decode("latin-1")
                   for k, v in response.headers.items()}
        return cls(url=url, fetched_url=response.url, status=response.status, headers=headers,
                   body=response.body,
                   encoding=page_encoding(response.body, headers.get("Content-Type")),
                   fetched_at=datetime.now(UTC).isoformat(timespec="seconds"), site=site,
                   **fields)

    @property
    def content_type(self) -> str | None:
        """The Content-Type header; for a stored page without headers, its stored encoding
        in that form (decode_page checks a declaration against the bytes, so it reads the
        page as it did at crawl time)."""
        found = next((v for k, v in self.headers.items() if k.lower() == "content-type"), None)
        return found or (f"text/html; charset={self.encoding}" if self.encoding else None)

    @property
    def html(self) -> str:
        """The page's text, decoded as `scraper extract` decodes a saved file."""
        return decode_page(self.body, self.content_type)

    def extract(self, repeats: RepeatStore | None = None,
                max_chars: int | None = None) -> Extraction:
        """What the current extraction makes of this page, with its site's rules: the same
        call for a crawl and for re-extracting a stored page. `max_chars`: the most HTML the
        extraction reads (None: its own cap). (Imported here: the archive and every command
        import this module, and need not load the extraction.)"""
        from scraper.extraction.extract import extract
        from scraper.sites import SITES, site_for_url

        site = SITES.get(self.site) or site_for_url(self.url)
        cap = {"max_chars": max_chars} if max_chars else {}
        return extract(self.html, self.url, site, fetched_at=self.fetched_at, repeats=repeats,
                       **cap)


@dataclass
class ArticleItem:
    """An extracted article together with the page it came from (kept raw in the archive)."""

    article: Article
    page: Page
    # Archived articles that name this one as their original source and led to its fetch
    # (--follow-sources): each makes a republication pair with it.
    republished_by: tuple[str, ...] = ()
