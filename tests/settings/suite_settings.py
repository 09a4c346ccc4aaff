"""The settings every crawl of the test suite starts from: the project's own
(scraper/settings.py), with one extraction process instead of one per core.

Why: the fixture sites are a few dozen pages, so a second worker only adds a fresh
interpreter's imports (about a second of CPU) to each of the suite's crawl subprocesses on
CI's two cores. The tests of the pool's size set EXTRACT_WORKERS themselves
(test_crawl_workers.py, test_pipelines.py). conftest.py selects this module for the test
process and every subprocess it starts (SCRAPY_SETTINGS_MODULE, PYTHONPATH).
"""

from scraper.settings import *  # noqa: F403 (all of the project's settings, as they are)

EXTRACT_WORKERS = 1
