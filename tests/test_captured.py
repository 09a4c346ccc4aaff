"""The archived copy of a stored fetch in `scraper serve` (/-/captured/ID): the real server
on an archive of pages of our own; what a browser does with the copy is test_browser.py's.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from captured_pages import (
    FEED,
    GIF,
    HOSTILE_URL,
    PLAIN_URL,
    SHOWN_TEXT,
    build_captured_archive,
    hostile_html,
)
from datasette.utils import tilde_encode
from lxml import html as lxml_html
from served_archive import get_text, served

from scraper.browse.inert import CSP, URL_ATTRIBUTES, inert_html

REMOTE = "http://127.0.0.1:9"  # the discard port: nothing may ask it anything


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    db = tmp_path_factory.mktemp("captured") / "archive.db"
    return db, build_captured_archive(db, REMOTE)


@pytest.fixture(scope="module")
def base(archive):
    with served(archive[0]) as url:
        yield url


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers.items()), error.read()


def live_parts(html: str) -> list[str]:
    """Everything in `html` that would run or load: elements, handlers, addresses."""
    root = lxml_html.document_fromstring(html)
    found = [f"<{e.tag}>" for e in root.iter("script", "base", "link", "object", "embed")]
    found += [f"<meta {e.attrib}>" for e in root.iter("meta") if e.get("http-equiv")]
    for element in root.iter():
        for name, value in element.attrib.items():
            own = value.startswith("#") or (name == "src" and value.startswith("data:"))
            if (name.startswith("on") or (name in URL_ATTRIBUTES and not own)
                    or ("url(" in value and "url(data:" not in value)):
                found.append(f"{element.tag} {name}={value}")
    found += [s.text for s in root.iter("style") if "url(" in (s.text or "")
              and REMOTE in s.text]
    return found


def test_the_copy_is_sent_inert_under_a_strict_policy(base, archive):
    status, headers, body = fetch(f"{base}/-/captured/{archive[1]['hostile']}/copy")
    assert status == 200
    assert headers["Content-Security-Policy"] == CSP
    assert "default-src 'none'" in CSP and "sandbox" in CSP and "form-action 'none'" in CSP
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["content-type"] == "text/html; charset=utf-8"
    html = body.decode("utf-8")
    assert live_parts(html) == []
    assert f"{SHOWN_TEXT} Café prices rose." in html, "read in its own encoding, kept"
    assert GIF in html, "an image in the page itself stays"
    assert f'data-archived-href="{REMOTE}/link"' in html, "what the page pointed at stays"
    assert "rgb(20, 90, 50)" in html, "its own styles stay"
    assert live_parts(hostile_html(REMOTE).decode("cp1252")), "the page was live"


def test_the_raw_bytes_are_a_download_of_what_was_fetched(base, archive):
    page_id = archive[1]["hostile"]
    status, headers, body = fetch(f"{base}/-/captured/{page_id}/raw")
    assert status == 200
    assert body == hostile_html(REMOTE), "the bytes as fetched, not decoded or rewritten"
    assert headers["content-type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith(f'attachment; filename="fetch-{page_id}-')
    assert headers["Content-Disposition"].endswith('.html"')
    assert headers["Content-Security-Policy"] == CSP


def test_the_page_of_a_fetch_shows_it_beside_the_copy(base, archive):
    page_id = archive[1]["hostile"]
    html = get_text(f"{base}/-/captured/{page_id}")
    root = lxml_html.document_fromstring(html)
    frame = root.find_class("captured-copy")[0]
    assert frame.tag == "iframe" and frame.get("sandbox") == ""
    assert frame.get("src") == f"/-/captured/{page_id}/copy"
    facts = dict(zip(root.xpath("//dl[@class='fetch']/dt/text()"),
                     (d.text_content() for d in root.xpath("//dl[@class='fetch']/dd")),
                     strict=True))
    assert facts["URL"] == HOSTILE_URL
    assert (facts["Fetched"], facts["Status"]) == ("2026-11-25T10:00:00+00:00", "200")
    assert facts["Kind"] == "article"
    assert facts["Size"].startswith(f"{len(hostile_html(REMOTE)):,} bytes")
    assert root.find_class("download")[0].get("href") == f"/-/captured/{page_id}/raw"
    headers = dict(zip(root.xpath("//table[@class='headers']//th/text()"),
                       root.xpath("//table[@class='headers']//td/text()"), strict=True))
    assert headers == {"Content-Type": "text/html", "Set-Cookie": "id=<b>1</b>"}
    assert "id=&lt;b&gt;1&lt;/b&gt;" in html, "a header's markup is shown as text"
    assert root.find_class("article-link")[0].get("href") == (
        f"/archive/articles/{tilde_encode(HOSTILE_URL)}")
    assert not root.xpath("//script[contains(., 'script ran')]")


def test_a_fetch_that_is_no_page_is_shown_as_text(base, archive):
    status, headers, body = fetch(f"{base}/-/captured/{archive[1]['feed']}/copy")
    assert (status, headers["content-type"]) == (200, "text/plain; charset=utf-8")
    assert body == FEED and headers["Content-Security-Policy"] == CSP
    _, headers, _ = fetch(f"{base}/-/captured/{archive[1]['feed']}/raw")
    assert headers["Content-Disposition"].endswith('.xml"')


@pytest.mark.parametrize("path", ["/-/captured/999999", "/-/captured/999999/copy",
                                  "/-/captured/999999/raw", "/-/captured/x1/copy"])
def test_an_unknown_fetch_is_not_found(base, path):
    assert fetch(base + path)[0] == 404


def test_the_article_page_leads_to_its_copies_and_its_404(base, archive):
    ids = archive[1]
    html = get_text(f"{base}/archive/articles/{tilde_encode(PLAIN_URL)}")
    root = lxml_html.document_fromstring(html)
    assert root.find_class("captured-link")[0].get("href") == f"/-/captured/{ids['plain']}"
    status = root.find_class("status")[0]
    assert status.text_content().split()[:2] == ["Gone", "since"]
    assert status.find_class("gone-at")[0].get("datetime") == "2026-12-01T09:00:00+00:00"
    assert status.find_class("gone-answer")[0].get("href") == f"/-/captured/{ids['gone']}"
    listed = [a.get("href") for a in root.xpath("//details[@class='fetches']//a")]
    assert listed == [f"/-/captured/{ids['gone']}", f"/-/captured/{ids['plain']}"]
    copy = fetch(f"{base}/-/captured/{ids['gone']}/copy")[2].decode()
    assert "404 Not Found" in copy, "the answer that found it gone, kept"


def test_the_pages_table_links_each_fetch_to_its_copy(base, archive):
    rows = json.loads(get_text(f"{base}/archive/pages.json?_shape=array"))
    html = get_text(f"{base}/archive/pages")
    for row in rows:
        assert f'<a href="/-/captured/{row["id"]}">{row["fetched_at"]}</a>' in html


def test_inert_html_keeps_text_and_drops_all_that_runs_or_loads():
    html = inert_html(hostile_html(REMOTE).decode("cp1252"))
    assert live_parts(html) == []
    root = lxml_html.document_fromstring(html)
    assert root.get_element_by_id("headline").text == "Inert test page"
    assert root.get_element_by_id("link").get("title") == f"{REMOTE}/link"
    assert root.get_element_by_id("inline").get("src") == GIF
    assert [m.get("charset") for m in root.iter("meta")] == ["utf-8"]
    assert inert_html("") and "plain words" in inert_html("plain words")


def test_inert_css_keeps_data_and_drops_addresses():
    from scraper.browse.inert import inert_css

    assert inert_css("@import 'x.css'; a { color: red }") == " a { color: red }"
    assert inert_css("b { background: url( 'http://x/y.png' ) no-repeat }") == (
        "b { background: none no-repeat }")
    assert inert_css(f"i {{ background: url({GIF}) }}") == f"i {{ background: url({GIF}) }}"
