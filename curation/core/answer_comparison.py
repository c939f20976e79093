"""Do two answers to the same prompt agree or conflict? (plain Python)

JSON answers conflict on a differing field value; short answers on a different answer; free text
on clearly divergent content (other numbers, a negation, little shared content).
"""

import difflib
import json
import re

from curation.core.text import normalize, words
from curation.core.wordlists import NEGATIONS, STOPWORDS

NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
SHORT_ANSWER_WORDS = 6


def _load_json(text):
    text = text.strip()
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError):  # nested deeper than the parser goes: not read as JSON
        return None


def _content_words(text):
    return {w for w in words(text) if w not in STOPWORDS}


THOUSANDS_RE = re.compile(r"(?<=\d)[.,\u202f\u00a0'](?=\d{3}(?!\d))")


def _numbers(text):
    """The numbers in text, thousands separators removed (1,000 = 1.000 = 1000)."""
    return {THOUSANDS_RE.sub("", n).replace(",", ".") for n in NUMBER_RE.findall(text)}


def _polarity(tokens):
    return bool(set(tokens) & NEGATIONS)


def compare_text(a, b):
    """("agree" | "conflict", detail) for two plain-text answers."""
    na, nb = normalize(a), normalize(b)
    if na == nb:
        return "agree", ""
    wa, wb = words(a), words(b)
    if wa == wb:
        return "agree", "punctuation only"
    if max(len(wa), len(wb)) <= SHORT_ANSWER_WORDS:
        ca, cb = _content_words(a), _content_words(b)
        same_polarity = _polarity(wa) == _polarity(wb)
        if same_polarity and ca and cb and (ca <= cb or cb <= ca) and _numbers(a) == _numbers(b):
            return "agree", "one answer says more"  # "Paris" / "It is Paris."
        return "conflict", f"“{a.strip()[:80]}” vs “{b.strip()[:80]}”"
    if _numbers(a) != _numbers(b) and _numbers(a) and _numbers(b):
        only_a, only_b = sorted(_numbers(a) - _numbers(b)), sorted(_numbers(b) - _numbers(a))
        return "conflict", f"different numbers ({', '.join(only_a[:3]) or '–'} vs {', '.join(only_b[:3]) or '–'})"
    ca, cb = _content_words(a), _content_words(b)
    overlap = len(ca & cb) / len(ca | cb) if ca | cb else 1.0
    if overlap >= 0.5 and _polarity(wa) != _polarity(wb):
        return "conflict", "one answer is negated"
    if overlap < 0.25 and difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio() < 0.5:
        return "conflict", f"clearly different content ({overlap:.0%} of content words shared)"
    return "agree", f"reworded ({overlap:.0%} of content words shared)"


def _compare_json(a, b, path="$"):
    """The first conflicting path between two JSON values, or ""."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key} is only in one answer"
            found = _compare_json(a[key], b[key], f"{path}.{key}")
            if found:
                return found
        return ""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} has {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = _compare_json(x, y, f"{path}[{i}]")
            if found:
                return found
        return ""
    if isinstance(a, str) and isinstance(b, str):
        if max(len(a.split()), len(b.split())) > SHORT_ANSWER_WORDS * 2:
            verdict, detail = compare_text(a, b)
            return f"{path}: {detail}" if verdict == "conflict" else ""
        return "" if normalize(a) == normalize(b) else f"{path}: “{a[:60]}” vs “{b[:60]}”"
    if a != b or type(a) is not type(b):
        return f"{path}: {json.dumps(a)[:60]} vs {json.dumps(b)[:60]}"
    return ""


def compare_answers(a, b):
    """("agree" | "conflict", detail) for two answers, JSON-aware."""
    ja, jb = _load_json(a), _load_json(b)
    if ja is not None and jb is not None:
        conflict = _compare_json(ja, jb)
        return ("conflict", conflict) if conflict else ("agree", "")
    return compare_text(a, b)
