"""The hostile crawl, run by hand: `.venv/bin/python bench/hostile_crawl.py [-s NAME=VALUE]`.

Starts the hostile site of the tests (tests/hostile_site.py: errors, resets, trickles, a
64 MiB page, gzip bombs of 1100 MiB, redirect loops, markup that attacks the extractor) and
crawls it with `scraper crawl news` in a subprocess, with the project's default settings
except the politeness delays (DOWNLOAD_DELAY, AutoThrottle and the back-off are off: they
only stretch the wall time). Prints:

- the wall time of the crawl;
- peak memory: of the crawl process itself (its VmHWM, exact), of the largest of its child
  processes (extraction workers, exact), and of the whole tree at once, sampled every 0.1 s:
  the sum of PSS (each page shared by fork counted once, in shares: what the tree costs the
  machine; the target, 500 MB, is for this or a single process, whichever is larger) and the
  sum of RSS (shared pages counted in every process); getrusage's max RSS of the largest
  process waited for, as a cross-check;
- the failures by reason the crawl counted (its `pages/failed/<reason>` stats), and its
  summary line.
"""

from __future__ import annotations

import argparse
import re
import resource
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hostile_site import ElsewhereSite, HostileSite, crawl_site  # noqa: E402

TARGET_MB = 500
POLITENESS_OFF = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "BACKOFF_MAX_DELAY": 0,
                  "LOG_LEVEL": "INFO"}


class Memory:
    """Peaks of a process tree's memory, polled from /proc while the tree runs."""

    def __init__(self, interval: float = 0.1):
        self.interval = interval
        self.root_peak = 0  # kB, VmHWM of the crawl process
        self.child_peaks: dict[int, int] = {}  # pid -> kB, VmHWM of each descendant
        self.tree_peak = 0  # kB, the most the tree held at one poll: sum of PSS
        self.tree_rss_peak = 0  # kB, sum of RSS at one poll
        self.done = threading.Event()

    def watch(self, pid: int) -> None:
        while not self.done.wait(self.interval):
            tree = descendants(pid)
            status = {p: proc_status(p) for p in (pid, *tree)}
            if not status[pid]:
                return  # the crawl has exited
            self.root_peak = max(self.root_peak, status[pid].get("VmHWM", 0))
            for child in tree:
                if status[child]:
                    self.child_peaks[child] = max(self.child_peaks.get(child, 0),
                                                  status[child].get("VmHWM", 0))
            self.tree_rss_peak = max(self.tree_rss_peak,
                                     sum(s.get("VmRSS", 0) for s in status.values() if s))
            self.tree_peak = max(self.tree_peak, sum(pss(p) for p in status if status[p]))


def proc_status(pid: int) -> dict[str, int]:
    """The kB figures of /proc/PID/status ({} once the process is gone or a zombie)."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {k: int(v.split()[0]) for k, _, v in (line.partition(":") for line in
                                                  text.splitlines()) if v.strip().endswith("kB")}


def pss(pid: int) -> int:
    """The proportional set size of a process, in kB (0 once it is gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    found = re.search(r"^Pss:\s+(\d+) kB", text, re.M)
    return int(found[1]) if found else 0


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, from the parent pids of /proc/*/stat."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in parents.items() if pp == parent]
        found += children
        frontier += children
    return found


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-s", "--set", dest="overrides", action="append", default=[],
                        metavar="NAME=VALUE", help="another setting for the crawl")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after (s)")
    parser.add_argument("--log", type=Path, help="write the crawl's log to this file")
    args = parser.parse_args()
    settings = POLITENESS_OFF | dict(o.split("=", 1) for o in args.overrides)
    memory = Memory()
    with tempfile.TemporaryDirectory() as tmp, ElsewhereSite() as other, \
            HostileSite(other.url) as site:
        print(f"crawling {site.url}/ with {settings}", flush=True)
        run = crawl_site(site.url + "/", Path(tmp) / "archive.db", settings, args.timeout,
                         watch=memory.watch)
    memory.done.set()
    if args.log:
        args.log.write_text(run.stderr)
    waited = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    children = memory.child_peaks.values()
    peak = max(memory.tree_peak, memory.root_peak, *children)
    print(f"wall time: {run.seconds:.1f} s (exit status {run.returncode})")
    print(f"peak memory: crawl process {mb(memory.root_peak)}; "
          f"largest child {mb(max(children, default=0))} of {len(children)} children "
          f"(their peaks summed: {mb(sum(children))}); whole tree at once "
          f"{mb(memory.tree_peak)} PSS, {mb(memory.tree_rss_peak)} RSS; "
          f"peak {mb(peak)} (target < {TARGET_MB} MB: "
          f"{'met' if peak < TARGET_MB * 1024 else 'NOT met'}); "
          f"getrusage max RSS {mb(waited)}")
    failures = ", ".join(f"{n} {reason}" for reason, n in sorted(run.failures.items()))
    print(f"failures by reason: {failures or 'none counted'}")
    print(run.summary or run.stderr[-2000:])


if __name__ == "__main__":
    main()
