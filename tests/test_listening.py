"""A crawl opens no door: while it runs, its process listens on no TCP port (Scrapy's
telnet console and remote-control server are off unless asked for).

The sockets a process listens on are read from /proc: its file descriptors name socket
inodes, and /proc/<pid>/net/tcp{,6} gives each inode's state (0A: LISTEN)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import REPO
from fetch_helpers import QUICK

pytestmark = pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="needs /proc")


class SlowHome(BaseHTTPRequestHandler):
    """Answers robots.txt at once and everything else after a few seconds: time for the
    test to look at the crawl while it runs."""

    seen = threading.Event()

    def do_GET(self) -> None:  # noqa: N802
        self.seen.set()
        if self.path != "/robots.txt":
            time.sleep(4)
        body = b"<html><head><title>Home</title></head><body>Nothing yet</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def family(pid: int) -> list[int]:
    """`pid` and its descendants (extraction workers, if any)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split() if (task / "children").exists() else []
        for child in children:
            found += family(int(child))
    return found


def listening_ports(pid: int) -> set[int]:
    """The TCP ports `pid` (or a descendant) listens on."""
    ports: set[int] = set()
    for member in family(pid):
        inodes = set()
        for fd in Path(f"/proc/{member}/fd").glob("*"):
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed meanwhile
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        for table in ("tcp", "tcp6"):
            path = Path(f"/proc/{member}/net/{table}")
            for line in path.read_text().splitlines()[1:] if path.exists() else []:
                cols = line.split()
                if cols[3] == "0A" and cols[9] in inodes:
                    ports.add(int(cols[1].rsplit(":", 1)[1], 16))
    return ports


def ports_while_crawling(tmp_path: Path, *settings: str) -> set[int]:
    handler = type("Handler", (SlowHome,), {"seen": threading.Event()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    crawl = subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "news", "--db", str(tmp_path / "a.db"),
         "--url", f"http://127.0.0.1:{server.server_address[1]}/", *QUICK,
         "-s", f"REMOTE_CONTROL_JOBS_DIR={tmp_path / 'jobs'}", *settings],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert handler.seen.wait(60), "the crawl never reached the server"
        time.sleep(1)  # the engine has started: any server of its would be listening now
        ports: set[int] = set()
        for _ in range(5):
            ports |= listening_ports(crawl.pid)
            time.sleep(0.2)
        return ports
    finally:
        crawl.kill()
        crawl.wait(30)
        server.shutdown()
        server.server_close()


def test_a_crawl_listens_on_no_port(tmp_path):
    assert ports_while_crawling(tmp_path) == set()


def test_the_check_sees_a_listening_server_when_one_is_asked_for(tmp_path):
    """The same check, with Scrapy's remote control switched on, finds its port."""
    assert ports_while_crawling(tmp_path, "-s", "REMOTE_CONTROL_ENABLED=True")
