"""Write transactions of the archive: `BEGIN IMMEDIATE`, so a writer waits for the lock.

A deferred transaction (sqlite-utils' `atomic()`, Python's implicit BEGIN) that reads before
it writes takes a snapshot at its first read; when another process commits before its first
write, SQLite cannot upgrade it and answers "database is locked" at once, whatever the busy
timeout. `BEGIN IMMEDIATE` takes the write lock first, waiting up to the connection's
timeout (ARCHIVE_TIMEOUT) for another writer to finish, and nothing can commit between its
reads and its writes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlite_utils import Database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """Run the block in one IMMEDIATE transaction: committed at the end, rolled back on an
    exception. Inside another transaction it is a savepoint of that one."""
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
        conn.commit()
    except BaseException:
        if conn.in_transaction:  # never left open: the next batch would join it
            conn.rollback()
        raise
