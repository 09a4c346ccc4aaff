"""Raw page bodies, compressed once per distinct SHA-256 (zstd; gzip in m001 archives)."""

from __future__ import annotations

import gzip
import hashlib
import sys

if sys.version_info >= (3, 14):
    from compression import zstd
else:  # the standard library's module, backported (Scrapy depends on it too)
    from backports import zstd

# zstd's level 1: on the bench site's pages (bench/crawl_workers.py, 36-88 KB), 0.14 CPU ms a
# page against level 3's 0.18, for 21% of the size instead of 20%; the crawl's own process
# compresses every page it fetches. (Stored bodies decompress the same at any level.)
ZSTD_LEVEL = 1
# One compressor for the process: making one per page cost a third of the compression's time.
# (Each call gives a whole frame; a process's writes come from one thread.)
_COMPRESSOR = zstd.ZstdCompressor(level=ZSTD_LEVEL)


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def compress(body: bytes) -> tuple[str, bytes]:
    """The compression's name and the compressed body, as stored in `page_bodies`."""
    return "zstd", _COMPRESSOR.compress(body, zstd.ZstdCompressor.FLUSH_FRAME)


def decompress(compression: str, content: bytes) -> bytes:
    """The raw body back from a `page_bodies` row; ValueError for an unknown compression."""
    if compression == "zstd":
        return zstd.decompress(content)
    if compression == "gzip":
        return gzip.decompress(content)
    if compression == "none":
        return content
    raise ValueError(f"unknown page body compression {compression!r}")
