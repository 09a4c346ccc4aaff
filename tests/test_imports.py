"""Every module imports on its own, first thing in a fresh interpreter: no import cycles,
whatever order Scrapy, the CLI or a notebook happens to load them in."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest
from conftest import REPO

MODULES = sorted(
    m.name for pkg in ("scraper", "spiders", "pipelines")
    for m in pkgutil.walk_packages([str(REPO / pkg)], prefix=f"{pkg}.")
    if m.name != "scraper.__main__"
)


@pytest.mark.parametrize("module", MODULES)
def test_imports_alone(module):
    out = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                         text=True, cwd=REPO)
    assert out.returncode == 0, out.stderr[-1500:]


@pytest.mark.parametrize("module", ["scraper.extraction.extract", "scraper.extraction.workers"])
def test_extraction_never_imports_scrapy(module):
    code = (f"import sys, {module}; "
            "sys.exit(any(m == 'scrapy' or m.startswith('scrapy.') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0
