"""Text normalisation shared by every check (plain Python)."""

import re
import unicodedata
from functools import lru_cache

# Scripts written without spaces (Chinese, Japanese kana, Thai) count one character as a word;
# everything else splits on non-word characters.
WORD_RE = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]|[^\W\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f]+",
    re.UNICODE,
)
SPACE_RE = re.compile(r"\s+", re.UNICODE)


def normalize(text):
    """Case-folded, NFKC, whitespace collapsed: two texts that differ only in formatting match."""
    text = text or ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return SPACE_RE.sub(" ", text.casefold()).strip()


# ASCII punctuation becomes a space, so str.split() (C speed) gives the same words as \w+.
_ASCII_SEPARATORS = str.maketrans({c: " " for c in "!\"#$%&'()*+,-./:;<=>?@[\\]^`{|}~"})


@lru_cache(maxsize=1 << 14)  # the same text is read by several checks in a row
def words(text):
    """Word tokens of the normalised text (letters and digits in any script), as a tuple."""
    text = text or ""
    if text.isascii():
        return tuple(text.casefold().translate(_ASCII_SEPARATORS).split())
    return tuple(WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold()))


def word_count(text):
    return len(WORD_RE.findall(text or ""))
