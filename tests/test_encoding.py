"""One decoding for the crawl, a stored page and `scraper extract`: BOM, UTF-8 when the bytes
are UTF-8, the header, `<meta charset>`, then cp1252; the encoding used is what `pages`
stores. Each mis-declared page is served, crawled, and its archived body read back."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from conftest import REPO
from fetch_helpers import article_html, articles, crawl_news, home_html

from scraper.archive.bodies import decompress
from scraper.extraction.encoding import decode
from scraper.fixture_server import FixtureSite
from scraper.items import Page

TEXT = "Les élus votent « oui » – 3 € de plus"
PAGES = {  # path -> (bytes, Content-Type header, the encoding it is read in)
    "/utf8-declared-latin1": (article_html("Les élus votent").encode("utf-8"),
                              "text/html; charset=iso-8859-1", "utf-8"),
    "/cp1252-declared-utf8": (article_html("Les élus votent").encode("cp1252"),
                              "text/html; charset=utf-8", "cp1252"),
}


@pytest.mark.parametrize(("raw", "content_type", "text", "encoding"), [
    (TEXT.encode(), "text/html; charset=iso-8859-1", TEXT, "utf-8"),
    (TEXT.encode("cp1252"), "text/html; charset=utf-8", TEXT, "cp1252"),
    (b'<meta charset="iso-8859-2">' + "Łódź".encode("iso-8859-2"), None,
     '<meta charset="iso-8859-2">Łódź', "iso8859-2"),
    ("Łódź".encode("iso-8859-2"), "text/html; charset=iso-8859-2", "Łódź", "iso8859-2"),
    (b"\xef\xbb\xbf" + TEXT.encode(), "text/html; charset=cp1252", TEXT, "utf-8"),
    (b"\xff\xfe" + TEXT.encode("utf-16-le"), None, TEXT, "utf-16-le"),
    # UTF-8 with one stray Latin-1 byte is still UTF-8, the stray byte replaced
    (TEXT.encode() + b" caf\xe9", None, TEXT + " caf\ufffd", "utf-8"),
    (TEXT.encode("cp1252"), None, TEXT, "cp1252"),  # no declaration at all
])
def test_decoding_order(raw, content_type, text, encoding):
    assert decode(raw, content_type) == (text, encoding)


@pytest.fixture
def crawled(tmp_path, db_path):
    (tmp_path / "index.html").write_text(home_html(list(PAGES)), encoding="utf-8")
    with FixtureSite(tmp_path) as site:
        for path, (body, content_type, _) in PAGES.items():
            site.answer(path, body, headers={"Content-Type": content_type})
        run = crawl_news(db_path, site.url + "/")
        assert run.returncode == 0, run.stderr[-3000:]
        return site.url.removeprefix("http://")


def test_misdeclared_pages_are_archived_as_written(crawled, db_path, tmp_path):
    stored = articles(db_path)
    con = sqlite3.connect(db_path)
    for path, (raw, content_type, encoding) in PAGES.items():
        url = f"https://{crawled}{path}"
        assert "les élus voted" in stored[url]["body"], path
        assert "Ã" not in stored[url]["body"] and "\ufffd" not in stored[url]["body"]
        assert stored[url]["title"] == "Les élus votent"
        headers, stored_encoding, compression, content = con.execute(
            "select p.headers, p.encoding, b.compression, b.content from pages p "
            "join page_bodies b on b.sha256 = p.sha256 where p.url = ?", [url]).fetchone()
        assert stored_encoding == encoding
        assert json.loads(headers)["Content-Type"] == content_type
        body = decompress(compression, content)
        assert body == raw
        # The stored page, extracted again (with or without its headers), and `scraper
        # extract` on its bytes, read the same text.
        for page_headers in (json.loads(headers), {}):
            page = Page(url=url, fetched_url=url, status=200, headers=page_headers, body=body,
                        encoding=stored_encoding, fetched_at="2026-11-25T10:00:00+00:00",
                        site=stored[url]["site"])
            assert page.extract().article.body == stored[url]["body"]
        saved = tmp_path / "saved.html"
        saved.write_bytes(body)
        out = subprocess.run([sys.executable, "-m", "scraper", "extract", str(saved),
                              "--url", url], capture_output=True, text=True, cwd=REPO)
        assert json.loads(out.stdout)["body"] == stored[url]["body"]
