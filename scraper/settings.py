"""Scrapy settings of the project: polite by default, tuned for sites behind bot protection.

Project settings are prefixed ARCHIVE_ / BACKOFF_; every other name is Scrapy's own.
"""

BOT_NAME = "news-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Politeness --------------------------------------------------------------------------
# A browser-like User-Agent: news sites behind Cloudflare refuse Scrapy's default one.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8",
}
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 3.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60

# --- Retries with back-off ---------------------------------------------------------------
RETRY_TIMES = 3
RETRY_HTTP_CODES = [403, 408, 429, 500, 502, 503, 504, 522, 524]
# Each retryable answer doubles the domain's delay (or takes Retry-After), up to this.
BACKOFF_MAX_DELAY = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    "scraper.middlewares.SkipArchivedMiddleware": 50,
}

# --- Pipelines and the archive -----------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.archive.ArchivePipeline": 800,
}
ARCHIVE_PATH = "data/archive.db"
# Articles written per transaction, and the longest an article waits for its batch.
ARCHIVE_BATCH_SIZE = 50
ARCHIVE_BATCH_SECONDS = 30.0
# Seconds a write waits for another process's lock on the archive.
ARCHIVE_TIMEOUT = 30.0
# Re-fetch articles the archive already holds (off: a scheduled run fetches only new ones).
ARCHIVE_REFRESH = False
# The repeated-segment store of the extraction; None: next to the archive, <archive>.repeats.json.
ARCHIVE_REPEATS_PATH = None
# Set from the spider's arguments: stop after N articles, skip articles published before.
ARCHIVE_LIMIT = 0
ARCHIVE_SINCE = None

# --- Extraction in worker processes -------------------------------------------------------
# Processes that extract pages, off the event loop (0: one per CPU core), and the seconds one
# page may take: a page over it is dropped as extract_timeout and its worker replaced.
EXTRACT_WORKERS = 0
EXTRACT_TIMEOUT = 30.0

LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"

# --- The generic `news` spider ------------------------------------------------------------
# How many links deep it follows a site's pages from the start URL (0: sitemaps, feeds and
# the REST API only). Each level multiplies the pages fetched.
NEWS_FOLLOW_DEPTH = 2
