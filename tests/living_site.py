"""A news site that lives: articles dated relative to today, a sitemap index of one child
sitemap a month (each child's lastmod its newest story), an RSS feed and a front page that
list every story, a section front, and a soft 404 page the feed still lists. `publish()`
adds stories and makes a new edition of the front (its date line changes, as real fronts
do), rewriting only what changed, so the server's validators (ETag, Last-Modified) hold for
the rest. Written by a test (or bench/archive_growth.py) into a folder of its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from generated_site import ORIGIN, article_html

from scraper.fixture_server import FixtureSite

NOT_FOUND = "/missing-page/"
SECTION = "/section/valley/"
OLD_LINK_AGE = 30  # days


class LivingSite:
    def __init__(self, root: Path, ages: list[float]):
        """`ages`: the first stories' ages in days (story n is `ages[n]` days old)."""
        self.root = root
        self.now = datetime.now(UTC)
        self.stories: list[tuple[str, datetime]] = []  # (path, published), oldest first
        self.edition = 0
        self.written: dict[Path, str] = {}
        for n, age in enumerate(sorted(ages, reverse=True)):
            self.stories.append(self._story(n, self.now - timedelta(days=age)))
        self._write_all()

    def _story(self, n: int, published: datetime) -> tuple[str, datetime]:
        return f"/{published:%Y/%m/%d}/story-{n}/", published

    def publish(self, count: int = 1) -> None:
        """`count` new stories, published now, and a new edition of the front."""
        for _ in range(count):
            self.stories.append(self._story(len(self.stories), datetime.now(UTC)))
        self.edition += 1
        self._write_all()

    def paths(self) -> list[str]:
        return [path for path, _ in self.stories]

    def months(self) -> dict[str, list[tuple[str, datetime]]]:
        """Child sitemap name -> its stories."""
        found: dict[str, list[tuple[str, datetime]]] = {}
        for path, published in self.stories:
            found.setdefault(f"sitemap-{published:%Y-%m}.xml", []).append((path, published))
        return found

    # --- Files ----------------------------------------------------------------------------
    def _write(self, name: str, text: str) -> None:
        """Write a file only when its text changed (its mtime is its Last-Modified)."""
        path = self.root / name.strip("/")
        if path.suffix not in (".xml", ".txt", ".html"):
            path = path / "index.html"
        if self.written.get(path) == text:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        self.written[path] = text

    def _write_all(self) -> None:
        self._write("robots.txt", f"User-agent: *\nAllow: /\nSitemap: {ORIGIN}/sitemap.xml\n")
        months = self.months()
        children = "".join(
            f"<sitemap><loc>{ORIGIN}/{name}</loc><lastmod>{max(p for _, p in items):%Y-%m-%d}"
            "</lastmod></sitemap>" for name, items in sorted(months.items()))
        self._write("sitemap.xml", "<?xml version='1.0' encoding='UTF-8'?><sitemapindex xmlns="
                    f"'http://www.sitemaps.org/schemas/sitemap/0.9'>{children}</sitemapindex>")
        for name, items in months.items():
            urls = "".join(f"<url><loc>{ORIGIN}{path}</loc><lastmod>{published:%Y-%m-%d}"
                           "</lastmod></url>" for path, published in items)
            self._write(name, "<?xml version='1.0' encoding='UTF-8'?><urlset xmlns="
                        f"'http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>")
        for n, (path, _) in enumerate(self.stories):
            self._write(path, article_html(n, path))
        # The feed also lists an old link that is no story any more (a soft 404).
        listed = [*self.stories, (NOT_FOUND, self.now - timedelta(days=OLD_LINK_AGE))]
        items = "".join(f"<item><title>Item {n}</title><link>{ORIGIN}{path}</link>"
                        f"<pubDate>{format_datetime(published)}</pubDate></item>"
                        for n, (path, published) in enumerate(listed))
        self._write("feed.xml", "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'>"
                    f"<channel><title>Living News</title>{items}</channel></rss>")
        links = "".join(f"<li><h3><a href='{path}'>Story {n}</a></h3></li>"
                        for n, (path, _) in enumerate(reversed(self.stories)))
        self._write("/", "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                    "<title>Living News</title><link rel='alternate' type='application/rss+xml'"
                    f" href='{ORIGIN}/feed.xml'></head><body><h1>Living News</h1>"
                    f"<p>Edition {self.edition}.</p><ul>{links}</ul>"
                    f"<a href='{SECTION}'>Valley</a>"
                    "</body></html>")
        self._write(SECTION, "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                    "<title>Valley | Living News</title></head><body><h1>Valley</h1><ul>"
                    f"{links}</ul></body></html>")
        self._write(NOT_FOUND, "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
                    "<title>Page not found | Living News</title></head><body>"
                    "<h1>Page not found</h1><p>Try the front page.</p></body></html>")

    def serve(self, validators: bool = True) -> FixtureSite:
        return FixtureSite(self.root, origin=ORIGIN, validators=validators)
