"""News scraper and archiver: Scrapy crawls, plain-function extraction, a SQLite archive."""

__version__ = "0.1.0"
