"""The extractor on pages of publishers the development corpus lacks.

`tests/heldout/` holds articles written for the project on the markup of CMSs and sites that
`../shared/corpus/news-dev` does not have (Drupal, Ghost, an Arc-style page with four
authors, a newsletter post, WordPress with a Yoast graph, Italian, Spanish, Russian, Polish,
Korean and Chinese pages, a wire story, an opinion column; Turkish, Arabic, Hindi, Finnish,
Greek and French regional pages, a US local TV station, a Blogger post), each with
boilerplate around it.
Their gold was written before the extractor ran on them. The floors are the issue's targets:
the extractor must meet them on publishers it was not developed on, not only on news-dev.
"""

from __future__ import annotations

from conftest import REPO

from scraper.evaluate import TARGETS, load_corpus, run, score

HELDOUT = REPO / "tests" / "heldout"


def test_heldout_pages_meet_the_targets():
    pages = load_corpus(HELDOUT)
    assert len(pages) >= 10
    scores = score({page.id: page.gold for page in pages}, run(pages).predictions)
    assert scores["predicted"] == len(pages)
    below = {key: scores[key] for key, floor in TARGETS.items() if scores[key] < floor}
    assert not below, below
