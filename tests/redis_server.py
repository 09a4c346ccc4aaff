"""A real redis-server (Debian's, installed by scripts/bootstrap --test) owned by the tests:
started on 127.0.0.1 on a free port with its files in a temporary folder, no persistence,
stopped at the end. No test shares another module's server."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis
from processes import free_port, stop


@contextmanager
def redis_server(folder: Path) -> Iterator[str]:
    """Run a redis-server until the block ends; yield its URL (database 0)."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed: run scripts/bootstrap --test")
    port = free_port()
    folder.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
        stdout=(folder / "redis.log").open("w"), stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start: "
                                       + (folder / "redis.log").read_text()) from None
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        stop(process)
