"""Pages of our own for the archived copies (`scraper serve`'s /-/captured, `scraper show`):
a page that tries everything a page can do to run code or reach a server, an ordinary one,
their archive, and a server that records every connection made to it.

Shared by test_captured.py, test_show.py and test_browser.py.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import replace
from pathlib import Path

from test_archive import gone_page, make_item

from scraper.archive import open_archive, write_batch
from scraper.items import Page

HOSTILE_URL = "https://www.example.org/story/1"
PLAIN_URL = "https://www.example.org/story/2"
FEED_URL = "https://www.example.org/feed"
SHOWN_TEXT = "Text that must show."
FEED = b'<?xml version="1.0"?><rss><channel><title>Feed & more</title></channel></rss>'
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw=="


def hostile_html(remote: str) -> bytes:
    """A page whose every part would run a script or make a request to `remote` (a
    server's base URL), if anything of it were left live."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="windows-1252">
<meta http-equiv="refresh" content="0; url={remote}/refreshed">
<title>Inert test page</title>
<base href="{remote}/base/">
<link rel="stylesheet" href="{remote}/style.css">
<link rel="preconnect" href="{remote}">
<link rel="dns-prefetch" href="{remote}">
<link rel="prefetch" href="{remote}/prefetch">
<link rel="icon" href="{remote}/favicon.ico">
<style>@import url({remote}/import.css);
body {{ background: url('{remote}/background.png'); }}
@font-face {{ font-family: x; src: url({remote}/font.woff); }}
h1 {{ font-family: x; color: rgb(20, 90, 50); }}</style>
<script src="{remote}/script.js"></script>
<script>alert("script ran"); fetch("{remote}/fetch"); new Image().src = "{remote}/beacon";
document.title = "script ran";</script>
</head>
<body onload="alert('onload ran')">
<h1 id="headline">Inert test page</h1>
<p class="shown">{SHOWN_TEXT} Caf\xe9 prices rose.</p>
<img id="remote" src="{remote}/remote.png" srcset="{remote}/remote-2x.png 2x" alt="remote">
<img id="relative" src="relative.png" alt="relative to the base">
<img id="inline" src="{GIF}" alt="inline">
<img src="x" onerror="alert('onerror ran')" alt="broken">
<picture><source srcset="{remote}/picture.webp"><img src="{remote}/picture.png" alt="p"></picture>
<video poster="{remote}/poster.png" src="{remote}/video.mp4" autoplay></video>
<audio src="{remote}/audio.mp3" autoplay></audio>
<iframe src="{remote}/frame"></iframe>
<iframe srcdoc="<script>alert('srcdoc ran')</script><img src='{remote}/srcdoc.png'>"></iframe>
<object data="{remote}/object"></object>
<embed src="{remote}/embed">
<div style="background-image: url({remote}/inline-style.png)">styled</div>
<svg width="10" height="10"><image href="{remote}/svg.png" width="10" height="10"/></svg>
<a id="link" href="{remote}/link" ping="{remote}/ping">a link</a> <a href="#headline">up</a>
<form id="form" action="{remote}/submit" method="post"><input name="q" value="x">
<button formaction="{remote}/formaction">Send</button></form>
<script>document.getElementById("form").submit();</script>
<input type="image" src="{remote}/input.png" alt="go">
</body></html>""".encode("cp1252")


PLAIN_HTML = (f"<html><head><title>Grain ships stall</title></head><body><h1>Grain ships "
              f"stall</h1><p>The grain corridor closed on Monday.</p><img src=\"{GIF}\" "
              f"alt=\"pixel\"></body></html>").encode()


def build_captured_archive(db: Path, remote: str) -> dict[str, int]:
    """An archive of the hostile page and an ordinary one (which is then gone), with a feed
    fetched as well; return the fetch ids: hostile, plain, gone, feed."""
    hostile = make_item(url=HOSTILE_URL)
    hostile = replace(hostile, page=replace(hostile.page, body=hostile_html(remote),
                                            encoding="cp1252", headers={
                                                "Content-Type": "text/html",
                                                "Set-Cookie": "id=<b>1</b>"}))
    plain = make_item(url=PLAIN_URL)
    plain = replace(plain, page=replace(plain.page, body=PLAIN_HTML))
    feed = Page(url=FEED_URL, fetched_url=FEED_URL, status=200,
                headers={"Content-Type": "application/rss+xml"}, body=FEED, encoding="utf-8",
                fetched_at="2026-11-25T10:00:00+00:00", site="example", kind="discovery")
    archive = open_archive(db)
    try:
        write_batch(archive, [hostile, plain], pages=[feed])
        write_batch(archive, [], gone=[gone_page(PLAIN_URL)])
        ids = dict(archive.execute("select coalesce(kind, '') || ' ' || url, id from pages"))
    finally:
        archive.close()
    return {"hostile": ids[f"article {HOSTILE_URL}"], "plain": ids[f"article {PLAIN_URL}"],
            "gone": ids[f"gone {PLAIN_URL}"], "feed": ids[f"discovery {FEED_URL}"]}


class Watcher:
    """A server on 127.0.0.1 that records every connection made to it, and the first line
    of whatever was sent (a request of any method, or nothing: a preconnect)."""

    def __init__(self) -> None:
        self.connections: list[str] = []
        watcher = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(2)
                try:
                    first = self.request.recv(4096).split(b"\r\n", 1)[0]
                except OSError:
                    first = b""
                watcher.connections.append(first.decode("latin-1") or "(no request)")
                if first:
                    self.request.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> Watcher:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reachable(self) -> bool:
        """Whether a connection gets through (so that silence means something)."""
        with socket.create_connection(self.server.server_address[:2], timeout=2) as probe:
            probe.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
            return probe.recv(64).startswith(b"HTTP/1.1 204")
