"""Do two examples ask the same thing? (plain Python)

Two examples have the *same prompt* when their instruction and input are near-identical: equal
after normalising case, Unicode and whitespace, up to a few typo-level word edits and filler words
("please", "the"). A different number, a negation or a different content word makes a different
prompt: "capital of France?" and "capital of Germany?" are not duplicates. Many examples sharing
one instruction is normal; the input decides.
"""

import difflib
import re
from collections import Counter
from functools import lru_cache

from curation.core.text import words
from curation.core.wordlists import FILLER, INTERCHANGEABLE, NEGATIONS


def prompt_words(record):
    """(context words, query words) of a record, normalised; a currency sign before an amount is
    read as its code ("$45" as "usd 45", as "45 USD" says), so "a $45 refund" and "a £45 refund"
    are two prompts."""
    context, query = record.request()
    return words(_signs_said(context)), words(_signs_said(query))


CURRENCY_CODES = {"$": "usd", "£": "gbp", "€": "eur", "¥": "jpy", "₹": "inr"}
CURRENCY_SIGN_RE = re.compile(r"([$£€¥₹])\s?(?=\d)")


def _signs_said(text):
    if not any(sign in text for sign in CURRENCY_CODES):
        return text
    return CURRENCY_SIGN_RE.sub(lambda m: f" {CURRENCY_CODES[m.group(1)]} ", text)


def _edit_distance_at_most(a, b, limit):
    """True when Damerau-Levenshtein(a, b) <= limit (limit is 1 or 2; short words only)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2 = None
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return False
        prev2, prev = prev, cur
    return prev[-1] <= limit


def has_digit(word):
    return any(c.isdigit() for c in word)


HYDROCARBONS = frozenset({"ane", "ene", "yne"})  # endings that name other compounds of one stem


def is_typo(a, b):
    """Two words that are one spelling slip apart (not two different words or numbers)."""
    if a == b:
        return True
    return _is_typo(a, b)


@lru_cache(maxsize=1 << 17)  # one word pair is asked of again and again in a scan's pairs
def _is_typo(a, b):
    if a in NEGATIONS or b in NEGATIONS or has_digit(a) or has_digit(b):
        return False  # another number or code is another thing, never a slip
    shorter = min(len(a), len(b))
    if shorter < 4 or a[0] != b[0]:
        return False  # slips keep the first letter; ascending/descending, increase/decrease do not
    if a.startswith(b) or b.startswith(a):
        return False  # possible/impossibles, form/forms: a different word, not a slip
    if a[:-3] == b[:-3] and a[-3:] in HYDROCARBONS and b[-3:] in HYDROCARBONS:
        return False  # ethane / ethene / ethyne: three compounds
    if _edit_distance_at_most(a, b, 1):
        return True  # one slip, even into another word ("capitol")
    return shorter >= 8 and _edit_distance_at_most(a, b, 2) and not _both_known(a, b)


@lru_cache(maxsize=65536)
def _both_known(a, b):
    """Two words two edits apart that the embedding model knows whole are two words ("slovenia" /
    "slovakia"), not a slip: two slips rarely make a word of its own."""
    from curation.core.semantic import vocabulary

    known = vocabulary()
    return a in known and b in known


def compare_words(a, b):
    """(near-identical?, what differs) for two word lists."""
    if a == b:
        return True, ""
    budget = 1 + max(len(a), len(b)) // 12
    edits, notes = 0, []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        left, right = a[i1:i2], b[j1:j2]
        if (
            op == "replace"
            and len(left) == len(right)
            and all(is_typo(x, y) or (x in INTERCHANGEABLE and y in INTERCHANGEABLE) for x, y in zip(left, right))
        ):
            edits += len(left)
            notes += [f"“{x}” / “{y}”" for x, y in zip(left, right)]
        elif all(w in FILLER for w in left + right):
            edits += max(len(left), len(right))
            notes += [f"“{w}”" for w in left + right]
        else:
            return False, ""
        if edits > budget:
            return False, ""
    return True, ", ".join(notes)


def same_prompt(words_a, words_b):
    """(same?, detail) for two (context words, query words) pairs."""
    ok_context, note_context = compare_words(words_a[0], words_b[0])
    if not ok_context:
        return False, ""
    ok_query, note_query = compare_words(words_a[1], words_b[1])
    if not ok_query:
        return False, ""
    notes = ", ".join(n for n in (note_context, note_query) if n)
    return True, notes


def one_word_apart(words_a, words_b):
    """True when the two prompts differ by at most one word as multisets (what the dataset scan's
    deletion index finds), so a pair found on save is always found by a scan too."""
    a = Counter(words_a[0]) + Counter("\x00" + w for w in words_a[1])
    b = Counter(words_b[0]) + Counter("\x00" + w for w in words_b[1])
    return sum((a - b).values()) <= 1 and sum((b - a).values()) <= 1
