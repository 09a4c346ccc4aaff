"""Scrapy's item log lines without the items' reprs.

Scrapy logs a dropped, scraped or failing item with the item itself (`Dropped: …` and then
`Page(url=…, fetched_url=…, status=…)`, or a whole article with its body): a line per
page nobody can read, and a log that grows with every body. The page's URL says which it
was; the reason is in the exception.
"""

from __future__ import annotations

from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure


def describe(item: Any) -> str:
    """What the log names an item by: its page's (or article's) URL."""
    for holder in (item, getattr(item, "page", None), getattr(item, "article", None)):
        url = getattr(holder, "url", None)
        if url:
            return str(url)
    return type(item).__name__


class ItemUrlLogFormatter(LogFormatter):
    """Scrapy's log formatter, naming items by URL (LOG_FORMATTER)."""

    def scraped(self, item: Any, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        result = _named(super().scraped(item, response, spider), item)
        result["msg"] = "Scraped from %(src)s: %(item)s"
        return result

    def dropped(self, item: Any, exception: BaseException, response: Response | Failure | None,
                spider: Spider) -> LogFormatterResult:
        result = _named(super().dropped(item, exception, response, spider), item)
        # The pipelines' reasons name the page already; another item's is named after it.
        named = result["args"]["item"] in str(exception)
        result["msg"] = "Dropped: %(exception)s" + ("" if named else " (%(item)s)")
        return result

    def item_error(self, item: Any, exception: BaseException,
                   response: Response | Failure | None, spider: Spider) -> LogFormatterResult:
        return _named(super().item_error(item, exception, response, spider), item)


def _named(result: LogFormatterResult, item: Any) -> LogFormatterResult:
    args = dict(result.get("args") or {})
    args["item"] = describe(item)
    result["args"] = args
    return result
