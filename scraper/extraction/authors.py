"""Author names out of a byline: no "By", no e-mail, no honorific, lists split."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_LEAD = re.compile(r"^\s*(written\s+)?(by|von|par|por|door|di|av|af)\b\s*:?\s*", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|\s&\s|\band\b|\bund\b|\bet\b)\s*", re.IGNORECASE)
_HONORIFIC = re.compile(r"^(prof|professor|dr|mr|mrs|ms|rev)\.?\s+", re.IGNORECASE)
_EDGE = re.compile(r"^[\s\W_]+|[\s\W_]+$")


def split_authors(byline: str) -> list[str]:
    """Names in a byline, in order: "By Prof. A and B (b@x.org)" -> ["A", "B"]."""
    text = _EMAIL.sub(" ", byline)
    text = re.sub(r"\(\s*\)|\[\s*\]", " ", text)
    text = _LEAD.sub("", text)
    names: list[str] = []
    for part in _SPLIT.split(text):
        name = _HONORIFIC.sub("", _EDGE.sub("", part))
        name = re.sub(r"\s+", " ", name).strip()
        if name and any(c.isalpha() for c in name) and name not in names:
            names.append(name)
    return names
