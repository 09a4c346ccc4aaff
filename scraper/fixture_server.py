"""Serve a folder as a website on 127.0.0.1: the replica sites of the tests and the demo.

A URL path `/a/b` is served from `a/b` when that is a file, else from `a/b/index.html`
(or `.xml`, `.json`, `.txt`); a query string selects `a/b/<query>.<ext>`, so a
WordPress REST page `/wp-json/wp/v2/posts?page=2&per_page=20` is the file
`wp-json/wp/v2/posts/page=2&per_page=20.json`. Anything else answers 404.

Files are served with an ETag and a Last-Modified (their mtime), and a conditional request
that matches either answers 304 Not Modified, as a real server does (`validators=False`
turns both off).

A replica written with its real absolute URLs (sitemaps, feeds and canonical links need
them) names that `origin`; the server rewrites it to its own address in every text file,
so those links lead back to the replica whatever port it was given.
"""

from __future__ import annotations

import hashlib
import threading
import time
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/rss+xml; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


class FixtureSite:
    """A running local server for `root`; use as a context manager or call stop()."""

    def __init__(self, root: str | Path, port: int = 0, origin: str | None = None,
                 validators: bool = True):
        self.root = Path(root).resolve()
        self.validators = validators
        self.origin = origin.rstrip("/") if origin else None
        if not self.root.is_dir():
            raise FileNotFoundError(f"no fixture site at {self.root}")
        self.requests: list[str] = []
        # Each request: when it came (time.monotonic()), its target and its headers.
        self.hits: list[tuple[float, str, dict[str, str]]] = []
        self.failures: dict[str, list[tuple[int, bytes]]] = {}
        self.answers: dict[str, tuple[int, bytes, dict[str, str]]] = {}
        self.delays: dict[str, float] = {}
        self.released = threading.Event()
        handler = type("Handler", (_Handler,), {"site": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FixtureSite:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FixtureSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail(self, target: str, status: int, times: int = 1,
             body: bytes = b"<html><body>Try again later</body></html>") -> None:
        """Answer `status` (and `body`) to the next `times` requests of `target` (a path and
        query), as a site under load or behind a bot wall does; then serve it normally."""
        self.failures[target] = [(status, body)] * times

    def answer(self, target: str, body: bytes = b"", status: int = 200,
               headers: dict[str, str] | None = None) -> None:
        """Always answer `target` with `status`, `body` and `headers` (a redirect, a wrong
        charset, a robots.txt of the test's own) instead of a file; Content-Type defaults
        to UTF-8 HTML."""
        self.answers[target] = (status, body, {"Content-Type": CONTENT_TYPES[".html"],
                                               **(headers or {})})

    def delay(self, target: str, seconds: float) -> None:
        """Answer `target` only after `seconds`, or as soon as release() is called: a slow
        page that holds a crawl open."""
        self.delays[target] = seconds

    def release(self) -> None:
        """Answer the delayed requests now."""
        self.released.set()

    def resolve(self, target: str) -> Path | None:
        """The file that answers a request target (path and query), or None."""
        parts = urlsplit(target)
        path = (self.root / unquote(parts.path).lstrip("/")).resolve()
        if not path.is_relative_to(self.root):
            return None
        if parts.query:
            names = [f"{unquote(parts.query)}{ext}" for ext in CONTENT_TYPES]
        elif path.is_file():
            return path
        else:
            names = [f"index{ext}" for ext in CONTENT_TYPES]
        return next((path / n for n in names if (path / n).is_file()), None)

    def body(self, file: Path) -> bytes:
        """The bytes served for `file`: its own, with `origin` made this server's address
        (also in the escaped form JSON gives it, `https:\\/\\/…`)."""
        data = file.read_bytes()
        if self.origin and file.suffix in CONTENT_TYPES:
            for old, new in ((self.origin, self.url),
                             (self.origin.replace("/", "\\/"), self.url.replace("/", "\\/"))):
                data = data.replace(old.encode(), new.encode())
        return data


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        self.site.requests.append(self.path)
        self.site.hits.append((time.monotonic(), self.path, dict(self.headers.items())))
        if self.path in self.site.delays:
            self.site.released.wait(self.site.delays[self.path])
        failures = self.site.failures.get(self.path)
        answer = self.site.answers.get(self.path)
        file = self.site.resolve(self.path)
        if failures:
            self._answer(*failures.pop(), ".html")
        elif answer:
            self._answer(answer[0], answer[1], headers=answer[2])
        elif file is None:
            self._answer(404, b"<html><body><h1>Not Found</h1></body></html>", ".html")
        else:
            body = self.site.body(file)
            validators = self._validators(file, body) if self.site.validators else {}
            if validators and self._not_modified(validators):
                self._answer(304, b"", headers=validators)
            else:
                self._answer(200, body, headers={
                    "Content-Type": CONTENT_TYPES.get(file.suffix, "application/octet-stream"),
                    **validators})

    @staticmethod
    def _validators(file: Path, body: bytes) -> dict[str, str]:
        return {"ETag": f'"{hashlib.sha256(body).hexdigest()[:16]}"',
                "Last-Modified": formatdate(int(file.stat().st_mtime), usegmt=True)}

    def _not_modified(self, validators: dict[str, str]) -> bool:
        """RFC 9110: If-None-Match decides when sent; else If-Modified-Since."""
        tags = self.headers.get("If-None-Match")
        if tags is not None:
            return validators["ETag"] in [t.strip() for t in tags.split(",")] or tags == "*"
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(validators["Last-Modified"]) <= parsedate_to_datetime(
                since)
        except (TypeError, ValueError):
            return False

    def _answer(self, status: int, body: bytes, suffix: str = "",
                headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {
                "Content-Type": CONTENT_TYPES.get(suffix, "application/octet-stream")}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass  # the crawl logs what matters
