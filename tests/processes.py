"""What the tests that start a server of their own (Datasette, scrapyd, redis-server) share:
a free port on 127.0.0.1, and a stop that never leaves the process behind."""

from __future__ import annotations

import socket
import subprocess


def free_port() -> int:
    """A port on 127.0.0.1 no one listens on now (the server binds it right after)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop(process: subprocess.Popen, seconds: float = 10.0) -> None:
    """SIGTERM, then SIGKILL if the process has not exited within `seconds`."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
