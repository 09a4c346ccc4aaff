"""`scraper serve`: browse an archive in Datasette with the metadata and templates we ship.

The archive is always served under the database name `archive`, whatever its file is
called, so that the shipped metadata, canned queries and `row-archive-articles.html`
apply to any archive path.
"""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path

import yaml
from datasette.app import Datasette
from datasette.database import Database
from datasette.plugins import pm

from scraper.archive import folder_read_only, open_archive_readonly
from scraper.browse import plugin
from scraper.browse.plugin import DATABASE

BROWSE = Path(__file__).resolve().parent / "browse"
PLUGIN_NAME = "scraper-browse"
STATIC_MOUNT = "archive-static"  # where browse/static is served; metadata.yml links its CSS


def load_metadata() -> dict:
    """The shipped metadata: titles, descriptions, facets, sort order, canned queries."""
    return yaml.safe_load((BROWSE / "metadata.yml").read_text(encoding="utf-8"))


def load_settings() -> dict:
    """The shipped Datasette settings (page size, time limits, truncation)."""
    return json.loads((BROWSE / "settings.json").read_text(encoding="utf-8"))


def fit_metadata(metadata: dict, columns: dict[str, set[str]]) -> dict:
    """The shipped metadata without the facets and sort orders on tables or columns that the
    archive lacks: an older archive is served as it is (never migrated), and Datasette
    refuses a table whose facet names a missing column."""
    def present(facet: str | dict) -> bool:
        if isinstance(facet, str):
            return facet in here
        kind, spec = next(iter(facet.items()))
        if kind == "link":
            return spec["column"] in columns.get(spec["table"], set())
        return spec in here

    for name, table in metadata["databases"][DATABASE]["tables"].items():
        here = columns.get(name, set())
        if "facets" in table:
            table["facets"] = [facet for facet in table["facets"] if present(facet)]
        for key in ("sort", "sort_desc"):
            if key in table and table[key] not in here:
                del table[key]
    return metadata


def build_datasette(path: Path) -> Datasette:
    """A Datasette instance serving the archive at `path` as `archive`, read-only."""
    if not pm.is_registered(plugin):
        pm.register(plugin, name=PLUGIN_NAME)
    archive = open_archive_readonly(path)
    try:
        columns = {table.name: set(table.columns_dict) for table in archive.tables}
    finally:
        archive.close()
    ds = Datasette(
        metadata=fit_metadata(load_metadata(), columns),
        settings=load_settings(),
        template_dir=str(BROWSE / "templates"),
        static_mounts=[(STATIC_MOUNT, str(BROWSE / "static"))],
    )
    ds.remove_database("_memory")  # Datasette adds it when given no files
    # On a folder that cannot be written, Datasette's immutable mode (`datasette -i`): its
    # read-only mode would need to create the WAL's -shm file beside the archive.
    ds.add_database(Database(ds, path=str(Path(path).resolve()),
                             is_mutable=not folder_read_only(Path(path))), name=DATABASE)
    return ds


def check_port(host: str, port: int) -> None:
    """OSError if nothing can listen on host:port (in use, or no such address)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def serve(path: Path, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Run Datasette on the archive at `path` until interrupted.

    The archive must exist; Datasette opens it read-only and never changes it (an older
    archive is served as it is)."""
    import uvicorn

    ds = build_datasette(path)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on",
                workers=1)
