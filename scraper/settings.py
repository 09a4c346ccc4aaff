"""Scrapy settings of the project: polite by default, tuned for sites behind bot protection.

Project settings are prefixed ARCHIVE_ / BACKOFF_ / DRIFT_; every other name is Scrapy's own.
"""

BOT_NAME = "news-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Politeness --------------------------------------------------------------------------
# Every request names the tool and whoever runs it: "news-archiver/<version> (+URL)", URL
# being ARCHIVE_CONTACT_URL. Set it to a page of yours that says who crawls and how to reach
# you (a site's admin reads it in their logs); unset, the agent names the tool alone (the
# project has no public page to name on your behalf). USER_AGENT, when set, replaces the whole line;
# a site declaration may set its own (scraper/sites/: Global Research's bot wall wants a
# browser-like one).
ARCHIVE_CONTACT_URL = None
USER_AGENT = None
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en-US,en;q=0.8",
}
# robots.txt rules (and Crawl-delay) are read for the tool's own name, then "*", whatever
# User-Agent is sent.
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = BOT_NAME
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 2.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 3.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60
# A news page is 50 KB to 2 MB of HTML, rarely over 8 MB even with inline scripts; Scrapy's
# defaults (1 GiB, warning at 32 MB) let one hostile page (or a gzip bomb, the cap holds
# after decompression too) take gigabytes. Larger answers fail as `too_big`. (Sitemaps may
# be 50 MB by their protocol: the news spider allows them that much.)
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
# The HTTP client (scraper/download.py): "aiohttp" (half of Twisted's CPU a page in a plain
# fetching spider, about a tenth less of the crawl process's own; Twisted's client behind it for
# what aiohttp cannot complete) or "twisted" (Scrapy's default).
FETCH_CLIENT = "aiohttp"
DOWNLOAD_HANDLERS = {"http": "scraper.download.PageDownloadHandler",
                     "https": "scraper.download.PageDownloadHandler"}

# --- Retries with back-off ---------------------------------------------------------------
RETRY_TIMES = 3
RETRY_HTTP_CODES = [403, 408, 429, 500, 502, 503, 504, 522, 524]
# Scrapy's own line when retries run out: the spider logs each failure at WARNING, with
# its URL and reason.
RETRY_GIVE_UP_LOG_LEVEL = "INFO"
# Each retryable answer doubles the domain's delay (or takes Retry-After), up to this; each
# healthy answer after that halves it, down to the normal delay.
BACKOFF_MAX_DELAY = 120.0
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scraper.middlewares.BackoffRetryMiddleware": 550,
    # What is fetched again of the archive, conditionally (scraper/conditional.py).
    "scraper.conditional.IncrementalMiddleware": 50,
    # A host that never answered is written off once one request ran out of retries: its
    # other requests (every discovery route) fail at once instead of each being retried.
    "scraper.unreachable.UnreachableHostMiddleware": 560,
    # Redirects only within the site crawled; loops and long chains fail with a reason.
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "scraper.middlewares.SiteRedirectMiddleware": 600,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scraper.middlewares.SiteMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "scraper.middlewares.CappedCompressionMiddleware": 590,
    # After decompression, before meta refreshes and the spider: one decoding for all.
    "scraper.middlewares.PageDecodingMiddleware": 585,
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "scraper.middlewares.SiteUserAgentMiddleware": 500,
}

# --- Pipelines and the archive -----------------------------------------------------------
ITEM_PIPELINES = {
    "pipelines.extract.ExtractPipeline": 100,
    "pipelines.validate.ValidatePipeline": 200,
    "pipelines.follow.FollowSourcesPipeline": 300,  # only with ARCHIVE_FOLLOW_SOURCES
    "pipelines.archive.ArchivePipeline": 800,
}
ARCHIVE_PATH = "data/archive.db"
# Articles written per transaction, and the longest an article waits for its batch.
ARCHIVE_BATCH_SIZE = 50
ARCHIVE_BATCH_SECONDS = 30.0
# Seconds a write waits for another process's lock on the archive.
ARCHIVE_TIMEOUT = 30.0
# Re-fetch, in full, everything the archive already holds (`--refresh`); off, a run fetches
# new pages, and archived articles as the revisit policy says, conditionally.
ARCHIVE_REFRESH = False
# The revisit policy (scraper/revisit.py): an archived article is checked again on every run
# up to REVISIT_FRESH_DAYS after its publication, then every REVISIT_SLOW_EVERY_DAYS up to
# REVISIT_HORIZON_DAYS, then never; never twice within REVISIT_MIN_HOURS.
REVISIT_FRESH_DAYS = 2.0
REVISIT_SLOW_EVERY_DAYS = 7.0
REVISIT_HORIZON_DAYS = 30.0
REVISIT_MIN_HOURS = 1.0
# What is kept of fetched pages that are no article nor evidence (fronts, sections, tag pages,
# feeds, sitemaps): "all" fetches, "changed" (each distinct version), "latest" (the last
# version of each URL), "none" (scraper/archive/retention.py). Bot walls, soft 404s and
# dropped pages are always kept.
ARCHIVE_KEEP_LISTINGS = "latest"
# The repeated-segment store of the extraction; None: next to the archive, <archive>.repeats.json.
ARCHIVE_REPEATS_PATH = None
# Set from the spider's arguments: stop after N articles, skip articles published before.
ARCHIVE_LIMIT = 0
ARCHIVE_SINCE = None
# Fetch the original source of a republished article when it is a URL on another site, and
# archive it under its own site, paired with the republication (`--follow-sources`).
ARCHIVE_FOLLOW_SOURCES = False
# Mirrors of declared sites the followed sources are fetched from, {site name: base URL},
# e.g. {"southfront": "http://127.0.0.1:8001"}: a local copy, as --base-url is for the site
# crawled.
ARCHIVE_MIRRORS = {}

# --- The drift alarm (scraper/drift.py) -----------------------------------------------------
# At the end of each run, per site: the share of its new articles that have a title, a date,
# authors, a body of DRIFT_BODY_MIN_WORDS to DRIFT_BODY_MAX_WORDS words and tags, and the
# share of bodies still holding a note of its rules. A share DRIFT_DROP below the site's norm
# (the mean of its last DRIFT_RUNS finished runs that were not degraded; none before
# DRIFT_MIN_RUNS such runs), below its floor, or a leak share above DRIFT_MAX_LEAK_SHARE (or
# DRIFT_DROP above the norm) marks the run degraded (exit code 5). A site with fewer than
# DRIFT_MIN_ARTICLES new articles in a run is not judged, and that run is no norm for it.
DRIFT_ENABLED = True
DRIFT_RUNS = 5
DRIFT_MIN_RUNS = 1
DRIFT_MIN_ARTICLES = 3
DRIFT_DROP = 0.25
DRIFT_FLOORS = {"title": 0.95, "body": 0.8}
DRIFT_MAX_LEAK_SHARE = 0.2
DRIFT_BODY_MIN_WORDS = 50
DRIFT_BODY_MAX_WORDS = 20_000

# --- Resuming (JOBDIR) ---------------------------------------------------------------
# A JOBDIR left by a killed crawl is reset (the archive skips what it holds), a finished
# crawl's is cleared, and start requests are never filtered by an earlier run's seen-file.
# `scraper crawl` gives each spider and start set its own JOBDIR (jobs/ beside the archive),
# removed after a finished run; -s JOBDIR=PATH chooses another, -s JOBDIR= none.
# `scrapy crawl` and scrapyd take the crawl's lock too (scraper/runlock.py).
EXTENSIONS = {"scraper.runlock.RunLockExtension": -10, "scraper.jobdir.JobdirGuard": 0,
              # AutoThrottle, with 304s allowed to lower the delay (scraper/throttle.py).
              "scrapy.extensions.throttle.AutoThrottle": None,
              "scraper.throttle.ConditionalAutoThrottle": 0}
DUPEFILTER_CLASS = "scraper.jobdir.ResumeDupeFilter"
# Scrapy's own disk queue, with callbacks named from a table rather than a scan of the spider.
SCHEDULER_DISK_QUEUE = "scraper.jobdir.RequestDiskQueue"

# --- Exit status (scraper/outcome.py) ---------------------------------------------------
# `scraper crawl` exits 4 (FAILURES) when more than this share of the pages asked for
# failed after their retries.
CRAWL_MAX_FAILURE_SHARE = 0.5

# --- Extraction in worker processes -------------------------------------------------------
# Processes that extract pages, off the event loop (0: one per CPU core), and the seconds one
# page may take: a page over it is dropped as extract_timeout and its worker replaced.
EXTRACT_WORKERS = 0
EXTRACT_TIMEOUT = 30.0
# The most characters of a page's HTML extraction reads (0: the extractor's own cap, 3
# million). Past it, scripts, styles and SVG go first, then the rest is cut (provenance says
# so): a page that big is furniture or an attack, and the time extraction takes grows with it.
EXTRACT_MAX_CHARS = 0
# Items processed at once per response. An article page gives one item (and its links):
# Scrapy starts this many tasks for every response, so its default of 100 cost a fifth of
# the crawl process's time on a 10k-page site.
CONCURRENT_ITEMS = 8

LOG_LEVEL = "INFO"
# `scraper crawl` logs each run to its own file, LOG_DIR/<spider>/<start time>.log (LOG_DIR
# None: `logs/` in the archive's folder), and keeps the newest LOG_KEEP_RUNS of them (0: all).
# -v logs to standard error instead; -s LOG_FILE=... names the file.
LOG_DIR = None
LOG_KEEP_RUNS = 30
# Items are named by URL in Scrapy's log lines, never printed whole.
LOG_FORMATTER = "scraper.logformatter.ItemUrlLogFormatter"
# The live progress line in a terminal (`scraper crawl` sets it: a terminal, no -q or -v).
PROGRESS_LINE = False
EXTENSIONS["scraper.progress.ProgressLine"] = 500
# No listening server: Scrapy's telnet console and its remote-control HTTP server (which
# runs any Python sent with its token) stay off unless asked for with -s.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
FEED_EXPORT_ENCODING = "utf-8"

# --- The generic `news` spider ------------------------------------------------------------
# How many links deep it follows a site's pages from the start URL (0: sitemaps, feeds and
# the REST API only). Each level multiplies the pages fetched.
NEWS_FOLLOW_DEPTH = 2
