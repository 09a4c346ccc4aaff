"""The crawl against its limits on one machine, run by hand:
`.venv/bin/python bench/crawl_workers.py [--pages N] [--workers W ...] [--memory]`.

Builds a loopback site of N article pages (default 10,000; 30-80 KB each: the fixture sites'
real articles under tests/sites/, each page one of them with a new headline, generated
paragraphs and the furniture of a news site: menus, a sidebar, teasers, comments, scripts),
listed by a sitemap index of sitemaps of SITEMAP_SIZE URLs, named in robots.txt. Serves it on
127.0.0.1 from a keep-alive asyncio server (checked first: it must serve far faster than the
crawl), then, in one sitting, with politeness off:

a. fetch-only: a plain Scrapy spider fetching the same URLs (pages/s);
b. extraction-only: the same pages through ExtractionPool with W workers (pages/s);
c. `scraper crawl news` (extract + archive) with EXTRACT_WORKERS=W (pages/s, CPU/wall),

and prints crawl / extraction-only (the target is >= 0.80), each with the load average
before and after. `--memory` instead crawls the first 1,000, 3,000 and N pages and prints
the peak RSS of the crawl's main process and of its extraction workers (target < 300 MB,
and flat). Wall times are of the whole command or pool, start-up included.

`generate(root, n)` is the site generator (bench/distributed_*.py use it too).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from resource import RUSAGE_CHILDREN, RUSAGE_SELF, getrusage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SITES = ROOT / "tests" / "sites"
SITEMAP_SIZE = 1000  # URLs per child sitemap (real sites: 200 to 50,000)
ORIGIN = "http://bench.example"  # the origin generate() writes when given none
CONCURRENCY = 16
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=WARNING",
        "-s", f"CONCURRENT_REQUESTS={CONCURRENCY}",
        "-s", f"CONCURRENT_REQUESTS_PER_DOMAIN={CONCURRENCY}", "-s", "NEWS_FOLLOW_DEPTH=0"]
HTML_TYPE = "text/html; charset=utf-8"

# --- the site --------------------------------------------------------------------------------


def _bases() -> list[tuple[str, str]]:
    """(HTML, its own URL) of each real article page of the fixture sites."""
    found = []
    for path in sorted(SITES.glob("**/*.html")):
        text = path.read_text("utf-8")
        canonical = re.search(r'<link rel="canonical" href="([^"]+)"', text)
        if ("<article" in text and canonical and text.count("<p") >= 4
                and not re.search(r"//[^/]+/(?:$|about|author|category|tag)", canonical[1])):
            found.append((text, canonical[1]))
    return found


def _words(bases: list[tuple[str, str]]) -> list[str]:
    text = " ".join(re.sub(r"<[^>]+>", " ", m) for b, _ in bases
                    for m in re.findall(r"<p>(.*?)</p>", b, re.S))
    return [w for w in re.findall(r"[A-Za-z][a-z']+", html.unescape(text)) if len(w) > 1]


def _sentence(rng: random.Random, words: list[str]) -> str:
    chosen = rng.choices(words, k=rng.randint(8, 26))
    return " ".join([chosen[0].capitalize(), *chosen[1:]]) + rng.choice(".....?!")


def _paragraph(rng: random.Random, words: list[str], inline: str = "") -> str:
    """Sentences; with `inline` (an origin), a few words are links or emphasis, as in a
    real article's text."""
    text = " ".join(_sentence(rng, words) for _ in range(rng.randint(2, 6)))
    if not inline:
        return text
    parts = text.split(" ")
    for _ in range(rng.randint(0, 4)):
        i = rng.randrange(len(parts))
        parts[i] = rng.choice([f'<a href="{inline}/topic/{parts[i].lower().strip(".?!")}/">'
                               f"{parts[i]}</a>", f"<em>{parts[i]}</em>",
                               f"<strong>{parts[i]}</strong>"])
    return " ".join(parts)


def _furniture(rng: random.Random, words: list[str], origin: str, k: int) -> tuple[str, str]:
    """Markup before and after a page's main content, as deep and as many elements as a
    real news site's (a few thousand): a mega menu, trending links, share icons, teasers
    with pictures, a newsletter box, threaded comments, a footer of link columns, ads."""
    def label() -> str:
        return " ".join(rng.choices(words, k=rng.randint(1, 3))).title()

    def item(path: str, text: str) -> str:
        return (f'<li class="menu-item"><a class="menu-link" href="{origin}/{path}/">'
                f'<span class="menu-text">{text}</span></a></li>')

    def menu(count: int) -> str:
        return "".join(f'<li class="menu-col"><span class="menu-head">{label()}</span>'
                       f'<ul class="sub-menu">'
                       + "".join(item(f"section/{c}/{i}", label()) for i in range(8))
                       + "</ul></li>" for c in range(count))

    def teaser(i: int) -> str:
        day = f"{i % 28 + 1:02d}"
        return (f'<article class="teaser"><div class="teaser__media"><a href="{origin}/news/'
                f'2026/03/{day}/story-{i}/"><figure><picture><source srcset="{origin}/img/{i}'
                f'.webp" type="image/webp"><img src="{origin}/img/{i}.jpg" alt="{label()}" '
                f'loading="lazy"></picture></figure></a></div><div class="teaser__body"><span '
                f'class="kicker">{label()}</span><h3 class="teaser__title"><a href="{origin}/'
                f'news/2026/03/{day}/story-{i}/">{_sentence(rng, words)}</a></h3><p>'
                f'{_sentence(rng, words)}</p><div class="meta"><span class="by"><a href="'
                f'{origin}/author/{i % 40}/">{label()}</a></span><time datetime="2026-03-{day}">'
                f"{day} March</time></div></div></article>")

    def comment(i: int, depth: int) -> str:
        replies = "".join(comment(i * 3 + j, depth + 1) for j in range(
            rng.randint(0, 2) if depth < 2 else 0))
        return (f'<li class="comment depth-{depth}"><div class="comment-body"><div class='
                f'"comment-meta"><img class="avatar" src="{origin}/avatar/{i}.png" alt=""><b '
                f'class="fn">{label()}</b><a href="#c{i}"><time>2026-05-0{i % 9 + 1}</time>'
                f'</a></div><div class="comment-content"><p>{_paragraph(rng, words)}</p></div>'
                f'<div class="reply"><a class="comment-reply-link" href="#r{i}">Reply</a>'
                f'</div></div>{f"<ol class=children>{replies}</ol>" if replies else ""}</li>')

    icon = ('<a class="share" href="{0}/share/{1}/"><svg viewBox="0 0 24 24" width="20"><g>'
            '<path d="M12 2a10 10 0 1 0 0 20"/><path d="M8 12h8"/></g></svg><span>{1}</span></a>')
    share = "".join(icon.format(origin, name) for name in
                    ("facebook", "x", "whatsapp", "telegram", "email", "print", "copy"))
    trending = "".join(item(f"news/2026/04/{i % 28 + 1:02d}/story-{(k * 7 + i) % 99991}",
                            _sentence(rng, words)) for i in range(rng.randint(5, 15)))
    ads = "".join(f'<div class="ad-slot" id="div-gpt-{i}"><div class="ad-label">Advertisement'
                  f'</div><div class="ad-inner"></div></div>' for i in range(rng.randint(3, 9)))
    config = json.dumps({"ads": [{"slot": f"div-gpt-{i}", "sizes": [[300, 250], [728, 90]]}
                                 for i in range(rng.randint(10, 40))]})
    before = (f'<div class="top-bar"><nav class="mega-menu"><ul>{menu(rng.randint(8, 20))}'
              f'</ul></nav></div><aside class="trending"><h2>Trending</h2><ul>{trending}</ul>'
              f'</aside>{ads[: len(ads) // 2]}<div class="share-bar">{share}</div>')
    after = (f'<div class="share-bar">{share}</div><aside class="newsletter"><p>Sign up for '
             "our morning briefing: the day's news in your inbox before breakfast.</p></aside>"
             f'<section class="comments"><h2>Comments</h2><ol class="comment-list">'
             f'{"".join(comment(i, 0) for i in range(rng.randint(0, 6)))}</ol></section>'
             f'<aside class="sidebar"><h2>More from the site</h2>'
             f'{"".join(teaser(i) for i in range(rng.randint(6, 20)))}</aside>{ads}'
             f'<footer class="mega-footer"><ul>{menu(rng.randint(4, 10))}</ul></footer>'
             f"<script>var adConfig = {config};</script>")
    return before, after


def page(base: tuple[str, str], k: int, origin: str, words: list[str]) -> tuple[str, str]:
    """(URL path, HTML) of page k: `base` under a new URL and headline, with generated
    paragraphs after its first two real ones, and furniture around its content."""
    rng = random.Random(k)
    text, own_url = base
    path = f"news/2026/05/{k % 28 + 1:02d}/story-{k}/"
    url = f"{origin}/{path}"
    own_origin = re.match(r"https?://[^/]+", own_url)[0]
    title = re.search(r"<title>(.*?)</title>", text, re.S)[1].split(" | ")[0].split(" - ")[0]
    headline = _sentence(rng, words).rstrip(".?!")
    text = text.replace(own_url, url).replace(title, headline)
    text = re.sub(re.escape(own_origin).replace(r"www\.", r"(?:www\.)?"), origin, text)
    paragraphs = list(re.finditer(r"<p>.*?</p>", text, re.S))
    cut = paragraphs[min(1, len(paragraphs) - 1)].end()
    before, after = _furniture(rng, words, origin, k)
    head, tail = text[:cut], text[paragraphs[-1].end():]
    # Generated paragraphs (two at least) until the page reaches its size, 30 to 80 KB.
    room = rng.randint(30, 80) * 1024 - len(head) - len(tail) - len(before) - len(after)
    generated: list[str] = []
    while len(generated) < 2 or room > 0:
        generated.append(f"\n<p>{_paragraph(rng, words, origin)}</p>")
        room -= len(generated[-1])
    text = head + "".join(generated) + tail
    text = text.replace("<body", f'<body data-k="{k}"', 1)
    opening = re.search(r"<body[^>]*>", text).end()
    text = text[:opening] + before + text[opening:].replace("</body>", after + "</body>", 1)
    return path, text


def generate(root: Path, n: int, origin: str = ORIGIN) -> list[str]:
    """Write a site of `n` article pages under `root` (an empty folder), with a home page,
    robots.txt naming /sitemap_index.xml, the index and its sitemaps of SITEMAP_SIZE URLs;
    return the article URLs (under `origin`, which a server serving the folder must answer
    for, or rewrite: FixtureSite(root, origin=ORIGIN))."""
    bases = _bases()
    words = _words(bases)
    urls = []
    for k in range(n):
        path, text = page(bases[k % len(bases)], k, origin, words)
        (root / path).mkdir(parents=True)
        (root / path / "index.html").write_text(text, encoding="utf-8")
        urls.append(f"{origin}/{path}")
    (root / "index.html").write_text(f"<html><head><title>Bench News</title></head><body>"
                                     f'<p><a href="{urls[0]}">Latest</a></p></body></html>')
    (root / "sitemaps").mkdir()
    for i in range(0, n, SITEMAP_SIZE):
        (root / "sitemaps" / f"posts-{i // SITEMAP_SIZE + 1}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns='
            '"http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
                f"<url><loc>{u}</loc><lastmod>2026-05-01</lastmod></url>"
                for u in urls[i:i + SITEMAP_SIZE]) + "</urlset>")
    write_index(root, n, origin)
    return urls


def write_index(root: Path, n: int, origin: str = ORIGIN) -> None:
    """robots.txt and the sitemap index listing the sitemaps of the first `n` pages."""
    children = "".join(f"<sitemap><loc>{origin}/sitemaps/posts-{i + 1}.xml</loc></sitemap>"
                       for i in range(-(-n // SITEMAP_SIZE)))
    (root / "sitemap_index.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns='
        f'"http://www.sitemaps.org/schemas/sitemap/0.9">{children}</sitemapindex>')
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\n\n"
                                     f"Sitemap: {origin}/sitemap_index.xml\n")


# --- a server that is not the bottleneck -----------------------------------------------------


class Server:
    """HTTP/1.1 with keep-alive on 127.0.0.1, files of `root` as FixtureSite maps them (a
    folder's index.html), in a thread of its own event loop. Far lighter than
    http.server: one read of the file, one write, no thread per connection."""

    def __init__(self, root: Path, origin: str = ORIGIN):
        self.root = root
        self.written = origin.encode()  # the origin of the files, made this server's
        self.port = 0
        self.served = 0
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        ready.wait()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=256))
        self.port = server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def _file(self, target: str) -> Path | None:
        path = self.root / target.split("?", 1)[0].lstrip("/")
        if path.is_dir():
            path = path / "index.html"
        return path if path.is_file() and path.resolve().is_relative_to(self.root) else None

    def body(self, file: Path) -> bytes:
        return file.read_bytes().replace(self.written, self.origin.encode())

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                target = head.split(b" ", 2)[1].decode("latin-1")
                file = self._file(target)
                if file is None:
                    status, body, kind = "404 Not Found", b"<html>Not Found</html>", HTML_TYPE
                else:
                    status, body = "200 OK", self.body(file)
                    kind = "application/xml" if file.suffix == ".xml" else (
                        "text/plain" if file.suffix == ".txt" else HTML_TYPE)
                writer.write(f"HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: "
                             f"{len(body)}\r\n\r\n".encode() + body)
                self.served += 1
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


async def _hammer(urls: list[str], connections: int) -> None:
    """Fetch `urls` over `connections` keep-alive connections, reading each answer whole."""
    todo = iter(urls)

    async def client() -> None:
        first = urls[0].split("/")[2].split(":")
        reader, writer = await asyncio.open_connection(first[0], int(first[1]))
        for url in todo:
            path = "/" + url.split("/", 3)[3]
            writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            size = int(re.search(rb"Content-Length: (\d+)", head)[1])
            await reader.readexactly(size)
        writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))


def server_rate(urls: list[str]) -> float:
    """Pages/s the server gives a light client (asyncio, CONCURRENCY connections)."""
    began = time.perf_counter()
    asyncio.run(_hammer(urls, CONCURRENCY))
    return len(urls) / (time.perf_counter() - began)


# --- a. fetch-only ---------------------------------------------------------------------------


def fetch_only(urls_file: Path) -> None:
    """(In a child process.) A plain Scrapy spider that fetches every URL of the file."""
    import scrapy
    from scrapy.crawler import CrawlerProcess

    class FetchSpider(scrapy.Spider):
        name = "fetch"

        async def start(self):
            for url in urls_file.read_text().split():
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response):
            return None

    process = CrawlerProcess({"LOG_LEVEL": "WARNING", "ROBOTSTXT_OBEY": False,
                              "CONCURRENT_REQUESTS": CONCURRENCY,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": CONCURRENCY,
                              "DOWNLOAD_DELAY": 0, "TELNETCONSOLE_ENABLED": False})
    process.crawl(FetchSpider)
    process.start()


# --- b. extraction-only ----------------------------------------------------------------------


def extraction_only(server: Server, urls: list[str], workers: int) -> float:
    """Seconds the pages of `urls` (as `server` serves them) take through an ExtractionPool of
    `workers`, with the crawl's task and a repeat store, start-up included."""
    from concurrent.futures import FIRST_COMPLETED, wait

    from scraper.extraction.repeats import RepeatStore
    from scraper.extraction.workers import ExtractionPool, extract_page
    from scraper.items import Page
    from scraper.sites import site_for_url

    began = time.perf_counter()
    statuses: dict[str, int] = {}
    with ExtractionPool(partial(extract_page, max_chars=None), workers,
                        repeats=RepeatStore()) as pool:
        pending = set()
        for url in urls:
            body = server.body(server.root / url.split("/", 3)[3] / "index.html")
            pending.add(pool.submit(Page(
                url=url, fetched_url=url, status=200, headers={"Content-Type": HTML_TYPE},
                body=body, encoding="utf-8", site=site_for_url(url).name,
                fetched_at=datetime.now(UTC).isoformat(timespec="seconds"))))
            if len(pending) >= 8 * workers:  # as the crawl, a bounded number in flight
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                _count(done, statuses)
        _count(wait(pending).done, statuses)
    if set(statuses) != {"ok"}:
        print(f"    (outcomes: {statuses})")
    return time.perf_counter() - began


def _count(futures, statuses: dict[str, int]) -> None:
    for future in futures:
        status = future.result().status
        statuses[status] = statuses.get(status, 0) + 1


# --- c. the crawl, and its memory ------------------------------------------------------------


class Peaks:
    """Peak RSS (VmHWM) of a process and of each of its children, sampled in a thread."""

    def __init__(self, pid: int):
        self.pid = pid
        self.main = 0
        self.main_anon = 0  # the most of it that was the process's own, not mapped files
        self.workers: dict[int, int] = {}
        self.together = 0  # the most the main process and its workers held at one time
        self.cpu: dict[int, float] = {}  # CPU seconds of each process, when last sampled
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            main = _status(self.pid)
            if not main:
                continue
            self.main = max(self.main, main[1])
            self.main_anon = max(self.main_anon, main[2])
            now = main[0]
            self.cpu[self.pid] = _cpu_of(self.pid) or self.cpu.get(self.pid, 0.0)
            for child in _children(self.pid):
                found = _status(child)
                if found:
                    self.workers[child] = max(self.workers.get(child, 0), found[1])
                    self.cpu[child] = _cpu_of(child) or self.cpu.get(child, 0.0)
                    now += found[0]
            self.together = max(self.together, now)

    def main_cpu(self) -> float:
        """CPU seconds of the main process (its workers' are in the rusage of children)."""
        return self.cpu.get(self.pid, 0.0)


def _status(pid: int) -> tuple[int, int, int] | None:
    """(VmRSS, VmHWM, RssAnon) of `pid` in MB, or None when it is gone. (The rest of VmRSS
    is mapped files: the archive, which SQLite maps, and the libraries.)"""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = dict(re.findall(r"^(VmRSS|VmHWM|RssAnon):\s+(\d+) kB", text, re.M))
    if len(found) < 3:
        return None
    return tuple(int(found[k]) // 1024 for k in ("VmRSS", "VmHWM", "RssAnon"))


def _cpu_of(pid: int) -> float:
    """User and system CPU seconds of `pid` so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for t in Path(f"/proc/{pid}/task").iterdir()
                for c in (t / "children").read_text().split()]
    except OSError:
        return []


def crawl(origin: str, db: Path, workers: int, extra: list[str]) -> dict:
    """Run `scraper crawl news` over the site; its wall and CPU seconds, pages, articles and
    memory peaks."""
    began, cpu = time.perf_counter(), _cpu(RUSAGE_CHILDREN)
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper", "crawl", "news", "--url", f"{origin}/",
         "--db", str(db), *FAST, "-s", f"EXTRACT_WORKERS={workers}", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peaks = Peaks(process.pid)
    out, err = process.communicate()
    peaks.stop()
    seconds, cpu = time.perf_counter() - began, _cpu(RUSAGE_CHILDREN) - cpu
    if process.returncode not in (0,):
        sys.exit(f"the crawl failed ({process.returncode}):\n{err[-3000:]}\n{out[-2000:]}")
    con = sqlite3.connect(db)
    pages = con.execute("select count(*) from pages where kind = 'article'").fetchone()[0]
    articles = con.execute("select count(*) from articles").fetchone()[0]
    con.close()
    return {"seconds": seconds, "cpu": cpu, "pages": pages, "articles": articles,
            "main_mb": peaks.main, "main_anon_mb": peaks.main_anon,
            "worker_mb": max(peaks.workers.values(), default=0),
            "together_mb": peaks.together, "main_cpu": peaks.main_cpu()}


def _cpu(who: int) -> float:
    usage = getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _load() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def measure(server: Server, urls: list[str], workers: list[int], tmp: Path,
            extra: list[str], crawl_only: bool = False) -> None:
    n = len(urls)
    print(f"load average {_load()} on {os.cpu_count()} cores, {n} pages")
    if crawl_only:
        for w in workers:
            got = crawl(server.origin, tmp / f"crawl-w{w}.db", w, extra)
            print(f"c. EXTRACT_WORKERS={w}: {got['pages'] / got['seconds']:.1f} pages/s, CPU/wall "
                  f"{got['cpu'] / got['seconds']:.2f}, main {got['main_cpu'] / got['seconds']:.2f}"
                  f", peak RSS main {got['main_mb']} MB (load {_load()})")
        return
    urls_file = tmp / "urls.txt"
    urls_file.write_text("\n".join(urls))
    load, began = _load(), time.perf_counter()
    fetched = subprocess.run([sys.executable, __file__, "--fetch-only", str(urls_file)],
                             cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if fetched.returncode:
        sys.exit(fetched.stderr[-3000:])
    print(f"a. fetch-only (plain Scrapy spider): {n / seconds:.1f} pages/s ({seconds:.1f} s; "
          f"load {load} -> {_load()})")
    for w in workers:
        load, cpu = _load(), _cpu(RUSAGE_SELF) + _cpu(RUSAGE_CHILDREN)
        seconds = extraction_only(server, urls, w)
        extracted, cpu_b = n / seconds, (_cpu(RUSAGE_SELF) + _cpu(RUSAGE_CHILDREN) - cpu) / n
        print(f"b. extraction-only, {w} workers: {extracted:.1f} pages/s ({seconds:.1f} s; "
              f"CPU {cpu_b * 1000:.1f} ms a page; load {load} -> {_load()})")
        load, served = _load(), _cpu(RUSAGE_SELF)
        got = crawl(server.origin, tmp / f"crawl-w{w}.db", w, extra)
        rate, cpu_c = got["pages"] / got["seconds"], got["cpu"] / got["pages"]
        print(f"c. scraper crawl news, EXTRACT_WORKERS={w}: {rate:.1f} pages/s "
              f"({got['pages']} pages, {got['articles']} articles in {got['seconds']:.1f} s; "
              f"CPU/wall {got['cpu'] / got['seconds']:.2f}; CPU {cpu_c * 1000:.1f} ms a page, "
              f"{got['main_cpu'] / got['pages'] * 1000:.1f} of them in the main process; "
              f"server CPU {_cpu(RUSAGE_SELF) - served:.1f} s; peak RSS main "
              f"{got['main_mb']} MB, worker {got['worker_mb']} MB; load {load} -> {_load()})")
        print(f"   crawl / extraction-only = {rate / extracted:.2f} (target >= 0.80); by CPU "
              f"a page, the ratio when both have the cores to themselves: {cpu_b / cpu_c:.2f}")


def memory(root: Path, server: Server, n: int, workers: int, tmp: Path,
           extra: list[str]) -> None:
    from scraper.extraction.repeats import store_path

    print(f"load average {_load()} on {os.cpu_count()} cores; EXTRACT_WORKERS={workers}")
    for size in sorted({min(1000, n), min(3000, n), n}):
        write_index(root, size)
        load = _load()
        got = crawl(server.origin, tmp / f"memory-{size}.db", workers, extra)
        saved = store_path(tmp / f"memory-{size}.db").stat().st_size  # bounded by its window
        print(f"  {size:>6} pages: peak RSS main {got['main_mb']} MB (anonymous "
              f"{got['main_anon_mb']} MB), largest worker "
              f"{got['worker_mb']} MB, all at once {got['together_mb']} MB, repeat store "
              f"file {saved // 1024} KB ({got['pages'] / got['seconds']:.1f} pages/s; "
              f"load {load} -> {_load()})")
    write_index(root, n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[2],
                        help="EXTRACT_WORKERS values to measure (b and c for each)")
    parser.add_argument("--memory", action="store_true",
                        help="peak RSS of crawls of 1,000, 3,000 and --pages pages")
    parser.add_argument("--crawl-only", action="store_true", help="only c (while iterating)")
    parser.add_argument("--site", type=Path, help="generate the site here, or reuse it")
    parser.add_argument("-s", dest="settings", action="append", default=[],
                        help="a Scrapy setting for the crawl, NAME=VALUE")
    parser.add_argument("--fetch-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fetch_only:
        fetch_only(args.fetch_only)
        return
    extra = [x for s in args.settings for x in ("-s", s)]
    with tempfile.TemporaryDirectory() as tmp:
        root = (args.site or Path(tmp) / "site").resolve()
        marker = root / "pages.txt"
        if not (marker.exists() and marker.read_text() == str(args.pages)):
            if root.exists():  # a site of another size: made again
                shutil.rmtree(root)
            root.mkdir(parents=True)
            began = time.perf_counter()
            generate(root, args.pages)
            marker.write_text(str(args.pages))
            print(f"generated {args.pages} pages in {time.perf_counter() - began:.0f} s")
        server = Server(root)
        urls = [f"{server.origin}/news/2026/05/{k % 28 + 1:02d}/story-{k}/"
                for k in range(args.pages)]
        sizes = sorted((server.root / u.split("/", 3)[3] / "index.html").stat().st_size
                       for u in urls)
        print(f"pages of {sizes[0] // 1024}-{sizes[-1] // 1024} KB, median "
              f"{sizes[len(sizes) // 2] // 1024} KB")
        print(f"server alone: {server_rate(urls[:3000]):.0f} pages/s")
        try:
            if args.memory:
                memory(root, server, args.pages, args.workers[0], Path(tmp), extra)
            else:
                measure(server, urls, args.workers, Path(tmp), extra, args.crawl_only)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
