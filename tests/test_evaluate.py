"""`scraper eval`: the metrics, checked by hand and against the shared referee, and the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO, SHARED

from scraper.cli import cli
from scraper.evaluate import (
    OPEN_WEB_TARGETS,
    TARGETS,
    date_match,
    load_corpus,
    read_date,
    report,
    score,
    set_f1,
    word_list,
)

REFEREE = SHARED / "corpus" / "score.py"
CORPUS = REPO / "tests" / "eval_corpus"
needs_referee = pytest.mark.skipif(not REFEREE.is_file(), reason="../shared/corpus not here")

# Six gold records and predictions made to hit each rule of the metrics once.
GOLDS = {
    "xx.HarbourDaily.V1": {
        "url": "https://harbour-daily.example/2024/03/05/cranes-return",
        "title": "Harbour cranes return to work", "authors": ["Mara Lind", "Tom Otieno"],
        "date": "2024-03-05T23:30:00-05:00", "tags": ["Ports", "Labour"],
        "body": "The cranes moved again on Tuesday.\n\nDockers voted to end the strike."},
    "xx.Tagblatt.V1": {
        "url": "https://tagblatt.example/linz/neue-bruecke-fuer-linz-1234",
        "title": "Neue Brücke für Linz", "authors": ["Anna Müller", "Jens Koch"],
        "date": "2023-11-02T08:15:00+01:00", "tags": ["Verkehr", "Linz", "Brücken"],
        "body": "Die Brücke wird 2026 eröffnet.\n\nSie kostet 40 Millionen Euro."},
    "xx.MinatoShimbun.V1": {
        "url": "https://minato.example/news/20220714/crane",
        "title": "港の新しいクレーン", "authors": ["山田太郎"], "date": "2022-07-14", "tags": None,
        "body": "新しいクレーンが到着した。\n\n作業は来週始まる。"},
    "xx.CouncilWeekly.V1": {
        "url": "https://council-weekly.example/council-meets",
        "title": "Council meets", "authors": None, "date": None, "tags": None,
        "body": "The council met."},
    "xx.BayGazette.V1": {
        "url": "https://bay-gazette.example/2021/01/01/fireworks",
        "title": "New year fireworks", "authors": ["Sam Reyes"],
        "date": "2021-01-01T00:00:00+00:00", "tags": ["Events"],
        "body": "Fireworks lit the sky at midnight over the bay."},
    "xx.CapitolNews.V2": {
        "url": "https://capitol-news.example/politics/late-vote",
        "title": "Late vote", "authors": ["Ana Ruiz"], "date": "2020-06-30T22:30:00-04:00",
        "tags": ["Politics", "Votes"], "body": "Votes were counted late into the night."},
}
PREDICTIONS = {
    # Case differs (same words only); one author of two; the same instant in UTC; an extra tag;
    # half the body.
    "xx.HarbourDaily.V1": {
        "title": "Harbour Cranes Return To Work", "authors": ["Mara Lind"],
        "date": "2024-03-06T04:30:00+00:00", "tags": ["ports", "labour", "Strike"],
        "body": "The cranes moved again on Tuesday."},
    # Decomposed umlaut (NFC makes it equal); casefolded names, a non-string ignored; a day
    # where the gold has a minute; no tags; two words too many.
    "xx.Tagblatt.V1": {
        "title": "Neue Bru\u0308cke für Linz", "authors": ["ANNA MÜLLER", "Jens Koch", 5],
        "date": "2023-11-02", "tags": None,
        "body": "Die Brücke wird 2026 eröffnet. Sie kostet 40 Millionen Euro. Mehr lesen"},
    # A space inside a CJK name; a time on a date-only gold; tags where none are annotated;
    # the first of two sentences (each CJK character a word, each sentence one \w+ token).
    "xx.MinatoShimbun.V1": {
        "title": "港の新しいクレーン", "authors": ["山田 太郎"],
        "date": "2022-07-14T23:00:00+09:00", "tags": ["港"], "body": "新しいクレーンが到着した。"},
    # xx.CouncilWeekly.V1 is not predicted at all.
    # "By" left in; midnight gold is a day only; an empty body.
    "xx.BayGazette.V1": {
        "title": "New year fireworks", "authors": ["By Sam Reyes"],
        "date": "2021-01-01T09:45:00+00:00", "tags": ["Events"], "body": ""},
    # Trailing space; a repeated name; a naive time compared as written (the next day);
    # tags as a string, not a list.
    "xx.CapitolNews.V2": {
        "title": "Late vote ", "authors": ["Ana Ruiz", "Ana Ruiz"],
        "date": "2020-07-01T01:30:00", "tags": "Politics",
        "body": "Votes were counted late into the night."},
}
# Worked out by hand from the definitions (see the comments above).
EXPECTED = {
    "title": 66.7,            # 4/6 exact
    "title_words": 83.3,      # 5/6
    "authors": 53.3,          # (2/3 + 1 + 0 + 0 + 1) / 5
    "date_day": 80.0,         # 4/5
    "date_min": 33.3,         # 1/3: gold times of Harbour, Tagblatt, Capitol
    "tags": 45.0,             # (0.8 + 0 + 1 + 0) / 4
    "body_P": 63.9,           # (1 + 10/12 + 1 + 0 + 0 + 1) / 6
    "body_R": 51.7,           # (0.5 + 1 + 12/20 + 0 + 0 + 1) / 6
    "body_F1": 55.4,          # (2/3 + 20/22 + 0.75 + 0 + 0 + 1) / 6
    "sh_P": 69.4,             # (1 + 7/9 + 0 + 1) / 4 pages with a non-empty prediction
    "sh_R": 38.9,             # (3/9 + 1 + 0 + 0 + 0 + 1) / 6
    "body_shingle_F1": 49.9,  # 2PR/(P+R) of the two means
    "pages": 6,
    "predicted": 5,
}


def test_scores_equal_the_hand_computed_figures():
    assert score(GOLDS, PREDICTIONS) == EXPECTED


@pytest.mark.parametrize(("gold", "predicted", "expected"), [
    ("2024-03-05T23:30:00-05:00", "2024-03-06T04:30:00Z", (1.0, 1.0)),
    ("2024-03-05T23:30:00-05:00", "2024-03-05", (1.0, 0.0)),
    ("2024-03-05", "2024-03-05T23:30:00-05:00", (1.0, None)),
    ("2024-03-05T00:00:00+01:00", "2024-03-06T22:00:00+00:00", (0.0, None)),
    ("2024-03-05T10:00:00", "2024-03-05T10:00:59+09:00", (1.0, 1.0)),
    ("2024-03-05T10:00:00+00:00", None, (0.0, 0.0)),
    ("2024-03-05T10:00:00+00:00", "March 5, 2024", (0.0, 0.0)),
])
def test_date_match(gold, predicted, expected):
    assert date_match(gold, predicted) == expected


def test_read_date_keeps_the_day_of_a_non_iso_tail():
    moment, has_time = read_date("2024-03-05 around noon")
    assert (moment.date().isoformat(), has_time) == ("2024-03-05", False)


def test_words_and_sets():
    assert word_list("Ｏne\u00adtwo  東京!") == ["ｏnetwo", "東", "京"]
    assert set_f1(["A", "b"], ["a", "c", ""]) == 0.5
    assert set_f1(["A"], []) == 0.0


def write_corpus(folder: Path, golds: dict) -> None:
    folder.mkdir()
    for page_id, gold in golds.items():
        (folder / f"{page_id}.json").write_text(json.dumps(gold, ensure_ascii=False))
        (folder / f"{page_id}.html").write_text("<html></html>")


def referee(corpus: Path, predictions: Path, out: Path) -> dict:
    subprocess.run([sys.executable, str(REFEREE), str(corpus), str(predictions), "--json",
                    str(out)], check=True, capture_output=True)
    return json.loads(out.read_text())


@needs_referee
def test_scores_equal_the_referee(tmp_path):
    write_corpus(tmp_path / "corpus", GOLDS)
    (tmp_path / "pred.json").write_text(json.dumps(PREDICTIONS, ensure_ascii=False))
    assert referee(tmp_path / "corpus", tmp_path / "pred.json", tmp_path / "ref.json") == EXPECTED


def run_eval(tmp_path: Path) -> tuple[str, dict, dict]:
    pred, scores = tmp_path / "pred.json", tmp_path / "scores.json"
    result = CliRunner().invoke(cli, ["eval", str(CORPUS), "--predictions", str(pred),
                                      "--json", str(scores)])
    assert result.exit_code == 0, result.output
    return result.output, json.loads(pred.read_text()), json.loads(scores.read_text())


def test_eval_command_scores_its_own_predictions(tmp_path):
    output, predictions, scores = run_eval(tmp_path)
    golds = {page.id: page.gold for page in load_corpus(CORPUS)}
    assert set(predictions) == set(golds)
    assert score(golds, predictions) | {"median_ms": scores["median_ms"]} == scores
    assert f"{scores['predicted']}/{len(golds)} pages predicted" in output
    assert "title exact" in output and "median ms/page" in output and "targets met" in output
    # The metadata of these pages is plain to read: every field right.
    assert {key: scores[key] for key in ("title", "authors", "date_day", "date_min", "tags")} == {
        "title": 100.0, "authors": 100.0, "date_day": 100.0, "date_min": 100.0, "tags": 100.0}


@needs_referee
def test_eval_command_agrees_with_the_referee(tmp_path):
    _, _, scores = run_eval(tmp_path)
    scores.pop("median_ms")
    assert referee(CORPUS, tmp_path / "pred.json", tmp_path / "ref.json") == scores


def test_eval_rejects_a_folder_without_gold(tmp_path):
    result = CliRunner().invoke(cli, ["eval", str(tmp_path)])
    assert result.exit_code == 2
    assert "no gold records" in result.output
    result = CliRunner().invoke(cli, ["eval", str(tmp_path / "missing")])
    assert result.exit_code == 2


def test_a_page_that_breaks_extraction_is_reported_not_fatal(monkeypatch):
    import scraper.extraction.extract as extract_module
    from scraper.evaluate import prediction

    def broken(html, url):
        raise RuntimeError("boom")

    monkeypatch.setattr(extract_module, "extract", broken)
    assert prediction("<html></html>", "https://x.example/") == ({}, "error: RuntimeError('boom')")


# Passages a body must and must not hold, pooled over pages (trafilatura's evaluation).
SNIPPET_GOLDS = {
    "xx.RiverNotes.V1": {"url": "https://river-notes.example/flood", "title": "Flood",
                         "body_with": ["The river rose", "two metres", "by night"],
                         "body_without": ["Subscribe now", "Share this"]},
    "xx.ValleyPost.V1": {"url": "https://valley-post.example/dam", "title": "Dam",
                         "body_with": ["The dam held"], "body_without": ["Read more"]},
    "xx.HillTimes.V1": {"url": "https://hill-times.example/slide", "title": "Slide",
                        "body_with": ["The road closed"], "body_without": ["Advertisement"]},
}
SNIPPET_PREDICTIONS = {
    # Two passages of three found (spacing and NFC normalised), one unwanted one kept.
    "xx.RiverNotes.V1": {"body": "The river  rose two metres. Share this story."},
    # Found, and nothing unwanted.
    "xx.ValleyPost.V1": {"body": "The dam held."},
    # xx.HillTimes.V1 not predicted: its passage missed, its unwanted one absent.
}
SNIPPET_EXPECTED = {
    "snip_with": 60.0,     # tp 3 of tp+fn 5
    "snip_without": 75.0,  # tn 3 of tn+fp 4
    "snip_F1": 66.7,       # 2*3 / (2*3 + 1 + 2)
}


def test_snippet_scores_equal_the_hand_computed_figures():
    scores = score(SNIPPET_GOLDS, SNIPPET_PREDICTIONS)
    assert {k: scores[k] for k in SNIPPET_EXPECTED} == SNIPPET_EXPECTED
    assert scores["predicted"] == 2 and scores["pages"] == 3
    assert any("snippets F1" in line for line in report(scores, 1.0))


def test_a_corpus_of_passages_is_held_to_the_open_web_targets():
    """Gold with passages instead of whole bodies is judged by the open-web targets, where the
    snippet F1 stands for the body; a whole-body corpus keeps the news targets."""
    lines = report(score(SNIPPET_GOLDS, SNIPPET_PREDICTIONS), 1.0)
    assert "Targets (open web):" in lines
    assert any(line.strip().startswith("snippets F1") and "NOT met" in line for line in lines)
    assert lines[-1] == f"0/{len(OPEN_WEB_TARGETS)} targets met"
    whole = report({"predicted": 1, "pages": 1, "body_F1": 99.0, "title": 95.0}, 1.0)
    assert "Targets:" in whole and whole[-1] == f"2/{len(TARGETS)} targets met"


@needs_referee
def test_snippet_scores_equal_the_referee(tmp_path):
    write_corpus(tmp_path / "corpus", SNIPPET_GOLDS)
    (tmp_path / "pred.json").write_text(json.dumps(SNIPPET_PREDICTIONS))
    ours = score(SNIPPET_GOLDS, SNIPPET_PREDICTIONS)
    theirs = referee(tmp_path / "corpus", tmp_path / "pred.json", tmp_path / "ref.json")
    assert ours == theirs | {k: v for k, v in ours.items() if k not in theirs}
    assert {k: theirs[k] for k in SNIPPET_EXPECTED} == SNIPPET_EXPECTED
