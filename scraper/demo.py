"""`scraper demo`: crawl the project's own replica of Global Research, offline, into a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scraper.crawl import project_settings, run_crawl
from scraper.fixture_server import FixtureSite

REPLICA = Path(__file__).resolve().parent.parent / "tests" / "sites" / "globalresearch"

# A local server needs no politeness; these make the demo take seconds, not minutes.
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_TIMES": 0,
    "LOG_LEVEL": "WARNING",
}


def run_demo(db: str | Path, replica: Path = REPLICA) -> dict[str, Any]:
    """Serve `replica` on 127.0.0.1 and crawl it with the Global Research spider into `db`."""
    with FixtureSite(replica) as site:
        return run_crawl("globalresearch", project_settings(db, FAST), base_url=site.url)
