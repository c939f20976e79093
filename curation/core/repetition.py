"""Degenerate repeated text: loops of the same words, lines or characters (plain Python)."""

import re
from collections import Counter
from functools import lru_cache

from curation.core.text import words

CHAR_RUN_RE = re.compile(r"([^\W\d_])\1{9,}")  # the same letter ten times or more


@lru_cache(maxsize=8192)  # instructions are shared by many examples
def find_repetition(text):
    """A short description of the repetition in text, or "" when it reads normally."""
    if not text:
        return ""
    raw = text.casefold().split()
    if len(set(raw)) == len(raw) and max(map(len, raw), default=0) < 10 and "\n" not in text:
        return ""  # every word differs, none is long, one line: nothing can repeat
    tokens = words(text)
    if tokens and max(map(len, tokens)) >= 10:
        m = CHAR_RUN_RE.search(text)
        if m:
            return f"the letter “{m.group(1)}” repeated {len(m.group())} times"
    if "\n" in text:
        # lines of four words or more: short lines (JSON fields, list items) repeat by design
        lines = [line.strip() for line in text.splitlines() if len(line.split()) >= 4]
        if len(lines) >= 3:
            line, n = Counter(lines).most_common(1)[0]
            if n >= 3 and n / len(lines) >= 0.5:
                return f"the line “{line[:60]}” appears {n} times"
    if len(set(tokens)) == len(tokens):
        return ""  # no word twice: no loop, no repeated sequence
    loop = _consecutive_loop(tokens)
    if loop:
        return loop
    if len(tokens) >= 40:
        grams = [tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3)]
        repeated = 1 - len(set(grams)) / len(grams)
        if repeated >= 0.5:
            return f"{repeated:.0%} of its 4-word sequences are repeats"
    return ""


def _consecutive_loop(tokens):
    """The same n words (n = 1..8) back to back: 4 times for a word or pair, 3 times for longer.

    Only periods at which some word actually recurs are tried, so ordinary text costs one pass.
    """
    last_seen, periods = {}, set()
    for i, token in enumerate(tokens):
        j = last_seen.get(token)
        if j is not None and i - j <= 8:
            periods.add(i - j)
        last_seen[token] = i
    for n in sorted(periods):
        needed = 4 if n <= 2 else 3
        run = 0  # consecutive positions i with tokens[i] == tokens[i + n]
        for i in range(len(tokens) - n):
            if tokens[i] == tokens[i + n]:
                run += 1
                if run >= (needed - 1) * n:
                    start = i + n - run + 1 - n
                    return f"“{' '.join(tokens[start : start + n])[:60]}” repeated {needed} times in a row"
            else:
                run = 0
    return ""
