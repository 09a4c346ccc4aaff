"""The archived copy of a stored fetch in `scraper serve`: the page as it was captured.

Three routes (Datasette's register_routes) per fetch, by its `pages.id`:

- /-/captured/ID: the fetch's date, status, URLs and headers beside the copy, shown in an
  `<iframe sandbox>`; links to the article and to the URL's other fetches;
- /-/captured/ID/copy: the stored HTML made inert (inert.py), sent with a strict CSP;
- /-/captured/ID/raw: the stored bytes as they came, as a download.

The archive is read as Datasette reads it (its connections, its permissions): a read-only
server on a read-only archive.
"""

from __future__ import annotations

import mimetypes
import sqlite3
from collections.abc import Callable
from typing import Any

from datasette import Response
from datasette.utils import tilde_encode
from datasette.utils.asgi import NotFound

from scraper.archive.bodies import decompress
from scraper.archive.fetches import (
    BODY,
    FETCHES,
    NEWEST_FIRST,
    fetch_record,
    header,
    stored_page,
)
from scraper.browse.inert import HEADERS, inert_html

PATH = "/-/captured"
TEMPLATE = "captured.html"


def captured_url(datasette, page_id: int, part: str = "") -> str:
    """Where the archived copy of fetch `page_id` is served (`part`: "/copy", "/raw")."""
    return datasette.urls.path(f"{PATH}/{page_id}{part}")


def routes(database: str) -> list[tuple[str, Callable]]:
    """The routes of the archived copies of `database`'s fetches."""

    async def page(datasette, request) -> Response:
        fetch, body = await _stored(datasette, database, request)
        return Response.html(await datasette.render_template(
            TEMPLATE, await captured_context(datasette, database, fetch, body),
            request=request))

    async def copy(datasette, request) -> Response:
        fetch, body = await _stored(datasette, database, request)
        text = stored_page(fetch, body).html
        if is_html(fetch, body):
            return Response(inert_html(text), headers=HEADERS,
                            content_type="text/html; charset=utf-8")
        return Response(text, headers=HEADERS, content_type="text/plain; charset=utf-8")

    async def raw(datasette, request) -> Response:
        fetch, body = await _stored(datasette, database, request)
        name = download_name(fetch)
        return Response(body, headers=HEADERS | {
            "Content-Disposition": f'attachment; filename="{name}"'},
            content_type="application/octet-stream")

    number = r"(?P<page_id>[0-9]{1,18})"
    return [(rf"^{PATH}/{number}$", page), (rf"^{PATH}/{number}/copy$", copy),
            (rf"^{PATH}/{number}/raw$", raw)]


async def _stored(datasette, database: str, request) -> tuple[dict[str, Any], bytes]:
    """The fetch the request names (a fetch_record) and its raw body; 404 for none, 403
    for an actor who may not read the archive's pages."""
    await datasette.ensure_permissions(request.actor, [
        ("view-table", (database, "pages")), ("view-database", database), "view-instance"])
    db = datasette.get_database(database)
    page_id = int(request.url_vars["page_id"])
    try:
        found = await db.execute(f"{FETCHES} where p.id = ?", [page_id])
    except sqlite3.OperationalError as exc:  # an m001 archive: no page_bodies, no ids
        raise NotFound(f"This archive keeps no fetches by id ({exc})") from exc
    if not found.rows:
        raise NotFound(f"No stored fetch {page_id}")
    fetch = fetch_record(found.first())
    body = await db.execute(BODY, [fetch["sha256"]])
    if not body.rows:
        raise NotFound(f"The body of fetch {page_id} is not stored")
    return fetch, decompress(*body.first())


async def captured_context(datasette, database: str, fetch: dict[str, Any],
                           body: bytes) -> dict[str, Any]:
    """What the page of a fetch shows: the fetch, its article, the URL's other fetches."""
    db = datasette.get_database(database)
    page_id = fetch["id"]
    article = (await db.execute("select * from articles where url = ?", [fetch["url"]])).first()
    others = await fetches_of(datasette, database, fetch["url"])
    return {
        "database": database,
        "fetch": fetch,
        "headers": sorted(fetch["headers"].items(), key=lambda kv: kv[0].lower()),
        "size": len(body),
        "copy_url": captured_url(datasette, page_id, "/copy"),
        "raw_url": captured_url(datasette, page_id, "/raw"),
        "download_name": download_name(fetch),
        "is_html": is_html(fetch, body),
        "article": dict(article) if article else None,
        "article_url": datasette.urls.row(database, "articles", tilde_encode(fetch["url"]))
        if article else None,
        "fetches": others,
    }


async def fetches_of(datasette, database: str, url: str) -> list[dict[str, Any]]:
    """Every stored fetch of `url`, newest first, each with the address of its copy (none
    in an m001 archive, served as it is: it kept no fetches by id)."""
    db = datasette.get_database(database)
    try:
        rows = await db.execute(f"{FETCHES} where p.url = ?{NEWEST_FIRST}", [url])
    except sqlite3.OperationalError:
        return []
    fetches = [fetch_record(row) for row in rows]
    for fetch in fetches:
        fetch["captured_url"] = captured_url(datasette, fetch["id"])
    return fetches


def is_html(fetch: dict[str, Any], body: bytes) -> bool:
    """Whether the fetch is a page to show as one (else its text is shown as text): its
    Content-Type says so, or, without one, its bytes start with markup."""
    declared = header(fetch["headers"], "content-type")
    if declared:
        return "html" in declared.lower()
    return body.lstrip()[:1] == b"<"


def download_name(fetch: dict[str, Any]) -> str:
    """The raw bytes' file name: the fetch and the start of its SHA-256, with the extension
    of its Content-Type (.xml for a feed's, which the system's table may not know)."""
    declared = header(fetch["headers"], "content-type") or "text/html"
    media = declared.split(";")[0].strip().lower()
    extension = mimetypes.guess_extension(media) or (".xml" if media.endswith("xml") else ".bin")
    return f"fetch-{fetch['id']}-{fetch['sha256'][:12]}{extension}"
