"""Text normalisation shared by every check (plain Python)."""

import re
import unicodedata

WORD_RE = re.compile(r"\w+", re.UNICODE)
SPACE_RE = re.compile(r"\s+", re.UNICODE)


def normalize(text):
    """Case-folded, NFKC, whitespace collapsed: two texts that differ only in formatting match."""
    return SPACE_RE.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def words(text):
    """Word tokens of the normalised text (letters and digits in any script)."""
    return WORD_RE.findall(normalize(text))


def word_count(text):
    return len(WORD_RE.findall(text or ""))
