"""Keys kept in the database for each example, so that checking one example on save against a
whole project is an indexed lookup (plain Python + numpy): bucket keys that two prompts one word
apart always share. MinHash band keys of content words (kept in memory only) find the training
example most like each test example for the leakage report.
"""

import hashlib

import numpy as np

from curation.core.answer_comparison import POLAR_WORDS, code_tokens, is_code, load_json
from curation.core.candidate_index import MASK, signed, tagged_hashes, token_hash
from curation.core.text import words
from curation.core.wordlists import STOPWORDS

BUCKETS = 4
SIM_BANDS, SIM_ROWS = 12, 2
_SIM_SEEDS = [(0x9E3779B97F4A7C15 * (i + 1)) & MASK for i in range(SIM_BANDS * SIM_ROWS)]


def _mix(*parts):
    """A stable signed 64-bit key from a few integers."""
    digest = hashlib.blake2b(b"".join(p.to_bytes(8, "little") for p in parts), digest_size=8).digest()
    return signed(int.from_bytes(digest, "little"))


def _main_and_side(context_words, query_words):
    """The part that tells prompts apart (the input, or the instruction when there is no input)
    and the part many prompts share."""
    if query_words:
        return tagged_hashes((), query_words), list(query_words), tagged_hashes(context_words, ())
    return tagged_hashes(context_words, ()), list(context_words), []


def stored_keys(context_words, query_words):
    """[(key, removed word)] kept per example. Two prompts one word apart share at least one:
    the main part is split into hash buckets (a one-word edit changes at most two), the shared
    part likewise, and a main part of three words or fewer also gets its one-word deletions."""
    main, main_words, side = _main_and_side(context_words, query_words)
    main_sum, side_sum = sum(main) & MASK, sum(side) & MASK
    keys = {_mix(1, side_sum, main_sum): ""}
    buckets = [0] * BUCKETS
    filled = [False] * BUCKETS
    for h in main:
        buckets[h % BUCKETS] = (buckets[h % BUCKETS] + h) & MASK
        filled[h % BUCKETS] = True
    for i in range(BUCKETS):
        if filled[i]:
            keys.setdefault(_mix(2, i, side_sum, buckets[i]), "")
    if side:
        side_buckets = [0] * BUCKETS
        for h in side:
            side_buckets[h % BUCKETS] = (side_buckets[h % BUCKETS] + h) & MASK
        for j in range(BUCKETS):
            keys.setdefault(_mix(3, j, side_buckets[j], main_sum), "")
    if len(main) <= 6:
        for h, word in zip(main, main_words):
            keys.setdefault(_mix(4, side_sum, (main_sum - h) & MASK), word)
    return list(keys.items())


def similarity_keys(context_words, query_words):
    """MinHash band keys over the content words of the main part: examples about the same thing
    share some, and more shared bands mean more alike (for the leakage report)."""
    main_words = [w for w in (query_words or context_words) if w not in STOPWORDS]
    if not main_words:
        return []
    hashes = np.asarray([token_hash("s\x00" + w) for w in set(main_words)], dtype=np.uint64)
    seeds = np.asarray(_SIM_SEEDS, dtype=np.uint64)
    mins = ((hashes[None, :] ^ seeds[:, None]) * np.uint64(0xBF58476D1CE4E5B9)).min(axis=1)
    return [_mix(5, band, *mins[band * SIM_ROWS : (band + 1) * SIM_ROWS].tolist()) for band in range(SIM_BANDS)]


_ANSWER_HASHES = {}
EDIT_BUCKETS = 8
EDIT_LEAST_TOKENS = 5  # shorter answers are compared whole (a label, a number)
EDIT_MOST_TOKENS = 400  # longer ones are rarely one value apart from another


def answer_edit_keys(answer, number_key):
    """Keys that two answers with one value replaced always share, for prompts that name the same
    numbers (`number_key`): the answer's distinct tokens (yes / no / not aside, as edited_answer
    reads them) split into EDIT_BUCKETS hash buckets, a key per bucket. Replacing one token (or one
    by a few the answer already has: COUNT(*) / COUNT(DISTINCT o.customer_id)) changes at most two
    buckets. Reworded prompts whose answers are one edit apart ("How many orders did customers from
    France place in 2016?" / "What's the total count of orders made during 2016 by people whose
    country is France?") are found so, however many siblings of a template fill their
    nearest-neighbour places. Only for programs, queries and JSON, where one token is one value
    (free text is reworded too much for that, and its prompts read alike enough). An edit that
    lands in the bucket of what names the request (pick_prices) leaves only template-wide
    buckets in common, which are not looked at (clusters.EDIT_BUCKET_MOST): with EDIT_BUCKETS
    buckets, a one-token flip is missed about one time in four."""
    if not (is_code(answer) or load_json(answer) is not None):
        return []
    tokens = {t for t in code_tokens(answer) if t not in POLAR_WORDS}  # COUNT(*): "count", "(", "*", ")"
    if not EDIT_LEAST_TOKENS <= len(tokens) <= EDIT_MOST_TOKENS:
        return []
    if len(_ANSWER_HASHES) > 1 << 20:  # bound the memory of a long-lived worker
        _ANSWER_HASHES.clear()
    sums = [0] * EDIT_BUCKETS
    for token in tokens:
        h = _ANSWER_HASHES.get(token)
        if h is None:
            h = _ANSWER_HASHES[token] = token_hash("a\x00" + token)
        sums[h % EDIT_BUCKETS] = (sums[h % EDIT_BUCKETS] + h) & MASK
    number = number_key & MASK
    return [_mix(6, i, number, s) for i, s in enumerate(sums)]


REWORDED_BANDS, REWORDED_ROWS = 8, 3
REWORDED_LEAST_WORDS = 8  # content words an answer needs to be told apart from others by them
_REWORDED_SEEDS = np.asarray(
    [(0xD6E8FEB86659FD93 * (i + 1)) & MASK for i in range(REWORDED_BANDS * REWORDED_ROWS)], dtype=np.uint64
)


def answer_reworded_keys(answer, number_key):
    """MinHash band keys of a free-text answer's content words under its prompt's number key: two
    answers said a little otherwise ("... using it longer causes rebound congestion." / "...
    longer use causes rebound congestion.", 80% of content words shared) share a band nearly
    always (8 bands of 3), unrelated answers rarely. They propose prompts worded far apart whose
    answers are one answer reworded (answer_comparison.reworded_alike), which no identical answer and no
    nearest neighbour proposes. None for programs, JSON and answers of fewer than
    REWORDED_LEAST_WORDS content words."""
    if load_json(answer) is not None or is_code(answer):
        return []
    said = {w for w in words(answer) if w not in STOPWORDS}
    if len(said) < REWORDED_LEAST_WORDS:
        return []
    hashes = np.array([token_hash("r\x00" + w) for w in said], dtype=np.uint64)
    mins = ((hashes[None, :] ^ _REWORDED_SEEDS[:, None]) * np.uint64(0xBF58476D1CE4E5B9)).min(axis=1).tolist()
    number = number_key & MASK
    return [
        _fold(7, band, number, *mins[band * REWORDED_ROWS : (band + 1) * REWORDED_ROWS])
        for band in range(REWORDED_BANDS)
    ]


def _fold(*parts):
    """A stable signed 64-bit key from a few integers, cheaper than _mix (a multiply-xorshift per
    part): for the many keys of a big import."""
    h = 0x9E3779B97F4A7C15
    for part in parts:
        h = ((h ^ (part & MASK)) * 0xBF58476D1CE4E5B9) & MASK
        h ^= h >> 31
    return signed(h)
