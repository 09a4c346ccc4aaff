"""`scraper export`: articles as JSON lines or CSV, raw pages as WARC, streamed row by row.

Rows come from one SQLite cursor and are written as they arrive, so memory stays the same
whatever the archive's size.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from io import BytesIO
from typing import IO, Any

from sqlite_utils import Database
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from scraper.archive.bodies import decompress
from scraper.archive.selection import Chosen, day_after, selection

CSV_COLUMNS = ("url", "site", "title", "subtitle", "byline", "authors", "published",
               "modified", "tags", "original_source", "original_source_url",
               "original_source_date", "language", "word_count", "first_seen", "last_seen",
               "last_changed", "revision_count", "status", "body")
# Stored as columns beside `original_source` (its name), exported with it as one field.
SOURCE_PARTS = ("original_source_url", "original_source_date")
# Headers that described the bytes on the wire, not the decoded body the archive keeps.
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def articles(db: Database, chosen: Chosen,
             limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Archived articles as records (lists and the original source decoded), by date."""
    where, params = selection(chosen, by_date=True)
    cursor = db.execute(f"select a.* from articles a{where} order by a.published"
                        + _limit(limit), params)
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield record(dict(zip(names, values, strict=True)))


def record(row: dict[str, Any]) -> dict[str, Any]:
    row["authors"] = json.loads(row["authors"] or "[]")
    row["tags"] = json.loads(row["tags"] or "[]")
    name, url, day = (row.pop("original_source"), row.pop(SOURCE_PARTS[0]),
                      row.pop(SOURCE_PARTS[1]))
    row["original_source"] = {"name": name, "url": url, "date": day} if name or url else None
    return row


def fields(db: Database) -> list[str]:
    """The fields of an exported article, in the table's order: its columns, the original
    source's three as one (an object in JSON, three columns in CSV)."""
    return [c for c in db["articles"].columns_dict if c not in SOURCE_PARTS]


def write_jsonl(rows: Iterator[dict[str, Any]], out: IO[str],
                only: list[str] | None = None) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps({k: row[k] for k in only} if only else row,
                             ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterator[dict[str, Any]], out: IO[str],
              only: list[str] | None = None) -> int:
    """One line per article; authors and tag names joined by "; " for spreadsheets."""
    columns = [part for name in only for part in (
        ("original_source", *SOURCE_PARTS) if name == "original_source" else (name,))
    ] if only else CSV_COLUMNS
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    n = 0
    for row in rows:
        n += 1
        source = row["original_source"] or {}
        writer.writerow(row | {
            "authors": "; ".join(row["authors"]),
            "tags": "; ".join(t["name"] for t in row["tags"]),
            "original_source": source.get("name"),
            "original_source_url": source.get("url"),
            "original_source_date": source.get("date"),
        })
    return n


def write_warc(db: Database, out: IO[bytes], chosen: Chosen,
               limit: int | None = None) -> int:
    """Every stored fetch (of the chosen articles' pages, with any filter but the days) as a
    WARC response record, gzip per record as web-archive tools expect. --since and --until
    here are the days the page was fetched."""
    where, params = selection(replace(chosen, since=None, until=None))
    sql = ("select p.url, p.final_url, p.status, p.headers, p.fetched_at, b.compression, "
           "b.content from pages p join page_bodies b on b.sha256 = p.sha256 where 1")
    if where:  # the chosen articles' pages; otherwise every fetch, articles or not
        sql += f" and p.url in (select a.url from articles a{where})"
    if chosen.since:
        sql += " and p.fetched_at >= ?"
        params.append(chosen.since)
    if chosen.until:
        sql += " and p.fetched_at < ?"
        params.append(day_after(chosen.until))
    cursor = db.execute(sql + " order by p.id" + _limit(limit), params)
    writer = WARCWriter(out, gzip=True)
    writer.write_record(writer.create_warcinfo_record("", {
        "software": f"news-archiver {version('news-archiver')}",
        "format": "WARC File Format 1.1",
        "description": "Pages fetched by the news archiver, as stored in its SQLite archive",
    }))
    n = 0
    for url, final_url, status, headers, fetched_at, compression, content in cursor:
        n += 1
        body = decompress(compression, content)
        writer.write_record(writer.create_warc_record(
            final_url or url, "response", payload=BytesIO(body), length=len(body),
            http_headers=_http_headers(status, json.loads(headers or "{}"), len(body)),
            warc_headers_dict={"WARC-Date": warc_date(fetched_at)}))
    return n


def _limit(limit: int | None) -> str:
    return f" limit {int(limit)}" if limit else ""


def _http_headers(status: int, headers: dict[str, str], length: int) -> StatusAndHeaders:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    kept = [(k, v) for k, v in headers.items() if k.lower() not in WIRE_HEADERS]
    kept.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{status} {phrase}".strip(), kept, protocol="HTTP/1.1")


def warc_date(fetched_at: str) -> str:
    """WARC-Date: UTC, to the second, with a Z."""
    moment = datetime.fromisoformat(fetched_at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
