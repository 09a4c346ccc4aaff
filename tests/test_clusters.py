"""Who carries the same story: near-duplicate clusters across sites.

Three sites crawled for real on 127.0.0.1 into one archive: the South Front replica (two
stories), the Global Research republication of one of them, and a generic site of our own
that carries edited copies of both, a story of its own and another story on the same
topic, written anew."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GOLDEN_DIR, SITES_DIR, load_case
from datasette.utils import tilde_encode
from generated_site import crawl_command
from served_archive import get_text, served
from test_archive import make_item
from test_crawl import crawl
from test_follow_sources import table as query

from scraper.archive import minhash, open_archive, write_batch
from scraper.archive.clusters import StaleSignatures, cluster_archive, forget_all
from scraper.archive.diffs import compare_words
from scraper.fixture_server import FixtureSite

DRONES = "https://southfront.press/drone-raids-reach-the-port-of-tuapse/"
GRAIN = "https://southfront.press/grain-convoys-resume-on-the-danube-route/"
REPUBLISHED = "https://www.globalresearch.ca/drone-raids-reach-tuapses-oil-terminal/5941207"
ORIGIN = "https://valley-courier.example"


def golden_body(name: str) -> str:
    return load_case(GOLDEN_DIR / "southfront" / name)["expected"]["body"]


def edited_drones() -> list[str]:
    """South Front's drone story as the valley site carries it: a line of its own before,
    three words changed, an appeal after."""
    paragraphs = golden_body("2025-drone-raids-tuapse.json").split("\n\n")
    paragraphs[0] = paragraphs[0].replace("Overnight on November 13", "On the night of Nov 13")
    return ["Our correspondent in the region sends this account of the night.", *paragraphs,
            "Readers who value reports like this one can support the Valley Courier."]


def edited_grain() -> list[str]:
    """The grain story with its third paragraph left out and its first number changed."""
    paragraphs = golden_body("2025-grain-convoys-danube.json").split("\n\n")
    del paragraphs[2]
    paragraphs[0] = paragraphs[0].replace("nine days", "ten days")
    return paragraphs


# The same topic as the grain story, written anew: no copy of it.
OWN_GRAIN = [
    "Grain traders on the lower Danube counted the cost of another week of attacks, as the "
    "barge queues at Reni grew and the elevators by the quay filled to the roof.",
    "A farmer from the Odesa region said he had sold half of his wheat at a loss to a "
    "buyer who would take the risk of the river, and kept the rest in sheds for the spring.",
    "Port workers told of nights spent in shelters, and of mornings when they found the "
    "cranes scorched and the rail wagons still waiting on the sidings for their loads.",
    "The regional governor promised new air defences for the river ports before the winter, "
    "though the shipping agents doubt that the insurers will lower their rates for it.",
]
OWN_LIBRARY = [
    "The town library reopened on Saturday after a year of repairs to its roof, its reading "
    "room and the old wooden stairs that had been closed to visitors since the flood.",
    "Children queued at the door before nine, and the librarians handed out cards to more "
    "than two hundred new readers in the first morning alone, a record for the branch.",
    "The council paid for the works with a grant from the region and the sale of the old "
    "depot by the station, which a bakery from the next valley has turned into a shop.",
]
VALLEY = {  # path: (title, published, paragraphs)
    "/2025/11/15/drone-raids-on-tuapse/": ("Drones over Tuapse", "2025-11-15", edited_drones()),
    "/2025/09/03/danube-grain-route/": ("The Danube grain route", "2025-09-03", edited_grain()),
    "/2025/09/10/grain-traders-count-the-cost/": ("Grain traders count the cost",
                                                  "2025-09-10", OWN_GRAIN),
    "/2025/10/04/library-reopens/": ("The library reopens", "2025-10-04", OWN_LIBRARY),
}


def valley_page(path: str, title: str, day: str, paragraphs: list[str]) -> str:
    schema = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": title, "datePublished": f"{day}T08:00:00+00:00",
                         "author": {"@type": "Person", "name": "Vera Lind"}})
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title} | "
            f"Valley Courier</title><link rel='canonical' href='{ORIGIN}{path}'>"
            "<meta property='og:type' content='article'>"
            f"<meta property='article:published_time' content='{day}T08:00:00+00:00'>"
            f"<script type='application/ld+json'>{schema}</script></head><body><article>"
            f"<h1>{title}</h1><p class='byline'>By Vera Lind</p>{body}</article></body></html>")


def write_valley(root: Path) -> None:
    (root / "robots.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "robots.txt").write_text(f"User-agent: *\nAllow: /\nSitemap: {ORIGIN}/sitemap.xml\n")
    (root / "index.html").write_text("<!DOCTYPE html><html lang='en'><head><title>Valley "
                                     "Courier</title></head><body><h1>Valley Courier</h1>"
                                     "</body></html>")
    entries = "".join(f"<url><loc>{ORIGIN}{path}</loc><lastmod>{day}</lastmod></url>"
                      for path, (_, day, _) in VALLEY.items())
    (root / "sitemap.xml").write_text(
        "<?xml version='1.0' encoding='UTF-8'?><urlset xmlns="
        f"'http://www.sitemaps.org/schemas/sitemap/0.9'>{entries}</urlset>")
    for path, (title, day, paragraphs) in VALLEY.items():
        page = root / path.strip("/") / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(valley_page(path, title, day, paragraphs))


def partition(db: Path) -> set[frozenset[str]]:
    """The archive's clusters, as sets of URLs (their ids depend on the order of signing)."""
    groups: dict[int, set[str]] = {}
    for row in query(db, "select article_url, cluster_id from article_clusters"):
        groups.setdefault(row["cluster_id"], set()).add(row["article_url"])
    return {frozenset(g) for g in groups.values()}


def counts(db: Path) -> tuple[int, ...]:
    return tuple(query(db, f"select count(*) as n from {t}")[0]["n"] for t in (
        "body_signatures", "signature_bands", "article_clusters", "signature_parameters"))


def scraper(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scraper", *args], capture_output=True,
                          text=True, timeout=120)


def crawl_valley(site: FixtureSite, db: Path, *args: str) -> str:
    """`scraper crawl news` of the valley site; its summary line."""
    out = subprocess.run(crawl_command(db, site.url, "-s", "DOWNLOAD_DELAY=0", *args),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    return next(x for x in out.stdout.splitlines() if x.startswith("news:"))


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, dict[str, str], Path, int]:
    """The three sites crawled into one archive; the valley site's URLs by path, its
    folder and port."""
    tmp = tmp_path_factory.mktemp("clusters")
    db, root = tmp / "archive.db", tmp / "valley"
    write_valley(root)
    with FixtureSite(SITES_DIR / "southfront", origin="https://southfront.press") as sf:
        crawl(sf, db, spider="southfront")
    with FixtureSite(SITES_DIR / "globalresearch-republication",
                     origin="https://www.globalresearch.ca") as gr:
        crawl(gr, db)
    with FixtureSite(root, origin=ORIGIN) as valley:
        crawl_valley(valley, db)
        urls = {path: "https://" + valley.url.removeprefix("http://") + path for path in VALLEY}
        port = valley.server.server_address[1]
    return db, urls, root, port


def expected(urls: dict[str, str]) -> set[frozenset[str]]:
    return {
        frozenset({DRONES, REPUBLISHED, urls["/2025/11/15/drone-raids-on-tuapse/"]}),
        frozenset({GRAIN, urls["/2025/09/03/danube-grain-route/"]}),
        frozenset({urls["/2025/09/10/grain-traders-count-the-cost/"]}),
        frozenset({urls["/2025/10/04/library-reopens/"]}),
    }


def test_crawls_put_shared_stories_together_and_others_apart(archive):
    db, urls, _, _ = archive
    assert {r["url"] for r in query(db, "select url from articles")} == {
        DRONES, GRAIN, REPUBLISHED, *urls.values()}
    assert partition(db) == expected(urls)


def test_views_rank_stories_and_pairs_of_sites(archive):
    db, urls, _, _ = archive
    [valley] = {r["site"] for r in query(db, "select site from articles")} - {
        "southfront", "globalresearch"}
    stories = query(db, "select * from stories_across_sites")
    assert [(s["sites"], s["articles"], s["first_site"], s["first_url"]) for s in stories] == [
        (3, 3, "southfront", DRONES), (2, 2, "southfront", GRAIN)]
    assert stories[0]["title"] == "Drone Raids Reach the Port of Tuapse"
    assert stories[0]["last_date"].startswith("2025-11-15")
    assert set(stories[0]["site_names"].split(",")) == {"southfront", "globalresearch", valley}
    pairs = {(p["site"], p["other_site"]): (p["shared_stories"], p["site_first"],
                                             p["other_site_first"])
             for p in query(db, "select * from sites_sharing_stories")}
    first = {"southfront": 0, valley: 1, "globalresearch": 2}  # who carried the drones first
    expect = {}
    for a, b, shared in [("southfront", valley, 2), ("southfront", "globalresearch", 1),
                         ("globalresearch", valley, 1)]:
        a, b = sorted((a, b))
        expect[(a, b)] = (shared, shared if first[a] < first[b] else 0,
                          0 if first[a] < first[b] else shared)
    assert pairs == expect


def test_the_command_on_an_existing_archive_gives_the_same_clusters(archive, tmp_path):
    db, urls, _, _ = archive
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    con = sqlite3.connect(copy)
    with con:
        con.execute("delete from article_clusters")
        con.execute("delete from signature_bands")
        con.execute("delete from body_signatures")
    con.close()
    out = scraper("clusters", "--db", str(copy))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Signed 7 articles in ")
    assert "2 clusters of near-duplicates, 2 of them carried by several sites" in out.stdout
    assert partition(copy) == expected(urls)
    before = counts(copy)
    again = scraper("clusters", "--db", str(copy))
    assert again.stdout.startswith("Signed 0 articles in ")
    assert counts(copy) == before
    rebuilt = scraper("clusters", "--db", str(copy), "--rebuild")
    assert rebuilt.stdout.startswith("Signed 7 articles in ")
    assert partition(copy) == expected(urls) and counts(copy) == before
    missing = scraper("clusters", "--db", str(tmp_path / "none.db"))
    assert (missing.returncode, missing.stderr.strip()) == (
        2, f"Error: no archive at {tmp_path / 'none.db'} (crawl first, or give --db)")


def test_crawling_again_adds_nothing_twice(archive, tmp_path):
    db, urls, root, port = archive
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    before = counts(copy)
    assert before[:3] == (7, 7 * minhash.parameters()["bands"], 7)
    with FixtureSite(root, port=port, origin=ORIGIN) as valley:  # the same URLs
        crawl_valley(valley, copy, "--refresh")  # every article fetched again, unchanged
    with FixtureSite(SITES_DIR / "southfront", origin="https://southfront.press") as sf:
        crawl(sf, copy, "--refresh", spider="southfront")
    assert counts(copy) == before
    assert partition(copy) == expected(urls)


def test_the_article_page_lists_the_other_sites_with_dates_and_changes(archive):
    db, urls, _, _ = archive
    with served(db) as base:
        page = get_text(f"{base}/archive/articles/"
                        + tilde_encode(urls["/2025/09/03/danube-grain-route/"]))
        alone = get_text(f"{base}/archive/articles/"
                         + tilde_encode(urls["/2025/10/04/library-reopens/"]))
        view = get_text(f"{base}/archive/stories_across_sites")
    assert "Carried by 2 sites" in page
    section = page[page.index("Carried by 2 sites"):page.index("</section>",
                                                                page.index("Carried by"))]
    # Oldest first: South Front's on 2 September, then this article, with its changes.
    assert section.index("2 September 2025") < section.index("3 September 2025")
    assert "southfront" in section and "<span class=\"first\">first</span>" in section
    assert "this article" in section
    bodies = {r["url"]: r["body"] for r in query(db, "select url, body from articles")}
    found = compare_words(bodies[GRAIN], bodies[urls["/2025/09/03/danube-grain-route/"]])
    assert found.words_removed > 50 and found.similarity < 1  # a paragraph, a word
    assert (f"compared with the first: similarity {found.similarity:.2f}, "
            f"+{found.words_added} words, −{found.words_removed} words") in section
    assert "Carried by" not in alone
    assert "map of republication" in view


# The clusters without a crawl: what an edited body does, and the parameters' guard.

def body(*words: str, n: int = 60) -> str:
    return " ".join(f"{w}{i}" for i in range(n) for w in words)


def test_a_short_body_has_no_signature_and_a_copy_is_found():
    story = body("harbour", "ferry")
    assert minhash.signature("A short caption of a photo.") is None
    a, b = minhash.signature(story), minhash.signature(story.replace("ferry7 ", "boat7 "))
    assert minhash.similarity(a, b) >= minhash.THRESHOLD
    assert minhash.similarity(a, minhash.signature(body("market", "tram"))) < 0.1


def test_a_signature_is_datasketchs_minhash_of_the_shingle_hashes():
    """The signature is computed without datasketch's per-value loop: the same values as
    its MinHash (the archive's stored signatures stay comparable)."""
    from datasketch import MinHash

    template, _ = minhash._template()
    for text in (body("harbour", "ferry"), body("tram", n=400), body("a", "b", "c", n=15)):
        words = minhash.WORD.findall(text.lower())
        expected = MinHash(num_perm=minhash.NUM_PERM, permutations=template.permutations,
                           scheme=minhash.SCHEME, hashfunc=int)
        expected.update_batch(minhash._shingle_hashes(words).tolist())
        got = minhash.signature(text)
        assert got.dtype == expected.hashvalues.dtype
        assert got.tolist() == expected.hashvalues.tolist()


def test_an_edited_bridge_splits_its_cluster(db_path):
    """B is near A and near C (Jaccard 0.67 each), A far from C (0.35): one cluster. Once B
    is rewritten, A and C are apart."""
    words = body("harbour", n=200).split()
    a_text, b_text, c_text = (" ".join(words[:136]), " ".join(words),
                              " ".join(words[64:]))
    db = open_archive(db_path)
    write_batch(db, [make_item(url=f"https://{s}.example/x", body=text)
                     for s, text in (("a", a_text), ("b", b_text), ("c", c_text))])
    assert db.execute("select count(distinct cluster_id) from article_clusters"
                      ).fetchone()[0] == 1
    write_batch(db, [make_item(url="https://b.example/x", body=body("school", "clinic"))])
    assert db.execute("select count(distinct cluster_id) from article_clusters"
                      ).fetchone()[0] == 3
    write_batch(db, [make_item(url="https://b.example/x", body=b_text)])  # and back
    assert db.execute("select count(distinct cluster_id) from article_clusters"
                      ).fetchone()[0] == 1


def test_the_order_of_writing_does_not_change_the_clusters(tmp_path):
    texts = [body("harbour", "ferry"), body("harbour", "ferry").replace("ferry3 ", "pier "),
             body("market", "tram"), body("market", "tram") + " Donate today.",
             body("school", "clinic")]
    found = []
    for order in ([0, 1, 2, 3, 4], [4, 3, 2, 1, 0]):
        db = open_archive(tmp_path / f"{order[0]}.db")
        for i in order:  # one batch each
            write_batch(db, [make_item(url=f"https://s{i}.example/x", body=texts[i])])
        found.append({frozenset(u for (u,) in db.execute(
            "select article_url from article_clusters where cluster_id = ?", [c]))
            for (c,) in db.execute("select distinct cluster_id from article_clusters")})
    assert found[0] == found[1] == {
        frozenset({"https://s0.example/x", "https://s1.example/x"}),
        frozenset({"https://s2.example/x", "https://s3.example/x"}),
        frozenset({"https://s4.example/x"})}


def test_signatures_of_other_parameters_are_not_mixed(db_path):
    db = open_archive(db_path)
    write_batch(db, [make_item(body=body("harbour", "ferry"))])
    db.execute("update signature_parameters set value = '3' where name = 'shingle_words'")
    counts_ = write_batch(db, [make_item(url="https://www.example.org/2",
                                         body=body("harbour", "ferry"))])
    assert counts_["clusters_stale"] == 1
    with pytest.raises(StaleSignatures):
        cluster_archive(db, "2026-12-01T00:00:00+00:00")
    assert cluster_archive(db, "2026-12-01T00:00:00+00:00", rebuild=True) == 2
    assert db.execute("select count(distinct cluster_id) from article_clusters"
                      ).fetchone()[0] == 1
    forget_all(db)
    assert db.execute("select count(*) from body_signatures").fetchone()[0] == 0
