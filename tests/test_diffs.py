"""Word-level diffs of two versions of an article, as the article page shows a revision."""

from __future__ import annotations

from scraper.archive.diffs import ParagraphDiff, Piece, inline_diff, inline_words


def marked(diff: list[ParagraphDiff]) -> list[str]:
    """Each paragraph as text with [-struck-] and {+added+} words; a fold as [N same]."""
    signs = {"same": "{}", "removed": "[-{}-]", "added": "{{+{}+}}"}
    return [f"[{p.unchanged} same]" if p.unchanged
            else "".join(signs[piece.kind].format(piece.text) for piece in p.pieces)
            for p in diff]


def test_changes_are_marked_inside_the_paragraph_and_unchanged_ones_folded():
    old = ("Talks opened in Istanbul.\n\nThe grain corridor closed on Monday, officials said."
           "\n\nPrices rose.\n\nShips waited.\n\nA paragraph the editor cut.")
    new = ("Talks opened in Istanbul.\n\nThe grain deal closed on Monday, officials said. "
           "Nobody explained why.\n\nPrices rose sharply.\n\nShips waited.")
    assert marked(inline_diff(old, new)) == [
        "[1 same]",
        "The grain [-corridor-]{+deal+} closed on Monday, officials said.{+ Nobody explained "
        "why.+}",
        "Prices rose{+ sharply+}.",  # the full stop is no part of the change
        "[1 same]",
        "[-A paragraph the editor cut.-]",
    ]


def test_paragraphs_added_merged_and_split():
    assert marked(inline_diff("First.", "First.\n\nA new paragraph.")) == [
        "[1 same]", "{+A new paragraph.+}"]
    assert marked(inline_diff("One half.\n\nOther half.", "One half. Other half.")) == [
        "One half.[-¶-] Other half."]
    assert marked(inline_diff("One half. Other half.", "One half.\n\nOther half.")) == [
        "One half.", "Other half."]


def test_the_pieces_join_back_into_each_version():
    old = "Kyiv, 3 May (AFP) - the deal's terms, it said, were final.\n\nEnd."
    new = "Kyiv, 4 May (Reuters) - the deal's new terms, it said, were not final.\n\nEnd."
    changed = inline_diff(old, new)[0].pieces
    assert "".join(p.text for p in changed if p.kind != "removed") == new.split("\n\n")[0]
    assert "".join(p.text for p in changed if p.kind != "added") == old.split("\n\n")[0]
    assert [p.text for p in changed if p.kind == "removed"] == ["3", "AFP"]
    assert [p.text for p in changed if p.kind == "added"] == ["4", "Reuters", " new", " not"]


def test_same_bodies_and_empty_ones():
    assert inline_diff("Same.\n\nText.", "Same.\n\nText.") == [ParagraphDiff(unchanged=2)]
    assert marked(inline_diff(None, "New.")) == ["{+New.+}"]
    assert marked(inline_diff("Old.", "")) == ["[-Old.-]"]
    assert inline_diff("", None) == []


def test_a_title_word_by_word():
    assert inline_words("Grain ships stall", "Grain ships stall, updated") == (
        Piece("same", "Grain ships stall"), Piece("added", ", updated"))


def test_a_lone_full_stop_does_not_split_a_change():
    old = "It was signed.\n\nShips sailed. Grain went to Europe, not Africa."
    new = "It was signed. A sentence added later."
    assert marked(inline_diff(old, new)) == [
        "It was signed.[-¶ Ships sailed. Grain went to Europe, not Africa.-]{+ A sentence "
        "added later.+}"]
