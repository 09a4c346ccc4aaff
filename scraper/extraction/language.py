"""The language of a text when the page does not declare one (py3langid: its model ships in
the package, loads once in under a second, and then classifies a page in a fraction of a ms)."""

from __future__ import annotations

# Enough text to tell a language; more only costs time.
SAMPLE_CHARS = 2000


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the language `text` is written in, None for too little text."""
    sample = text[:SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < 40:
        return None
    import py3langid  # imported on first use: most pages declare their language

    code, _ = py3langid.classify(sample)
    return code or None
