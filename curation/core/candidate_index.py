"""Which pairs of examples could share a prompt, found without comparing every pair (plain
Python + numpy).

A deletion-neighbourhood index: every prompt is a multiset of word hashes, keyed by its sum and by
the sum with each word removed. Two prompts one word apart (typo, inserted or dropped word) share a
key; equal prompts share all of them. The keys are stable 64-bit integers.
"""

import hashlib
from functools import lru_cache

import numpy as np

from curation.core.prompt_comparison import has_digit, is_typo, prompt_words

MASK = (1 << 64) - 1


@lru_cache(maxsize=1 << 20)
def token_hash(token):
    """A stable 64-bit hash of a tagged token (the same in every process and on every machine)."""
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


class _HashCache(dict):
    """word -> token_hash(tag + word); a dict so that lookups of known words stay in C."""

    def __init__(self, tag):
        super().__init__()
        self.tag = tag

    def __missing__(self, word):
        value = self[word] = token_hash(self.tag + word)
        return value


_CONTEXT_HASHES = _HashCache("c\x00")
_QUERY_HASHES = _HashCache("q\x00")


def tagged_hashes(context_words, query_words):
    """Hashes of the prompt's words; the same word counts differently in instruction and input."""
    if len(_CONTEXT_HASHES) + len(_QUERY_HASHES) > 1 << 21:  # bound the memory of a long-lived worker
        _CONTEXT_HASHES.clear()
        _QUERY_HASHES.clear()
    return list(map(_CONTEXT_HASHES.__getitem__, context_words)) + list(map(_QUERY_HASHES.__getitem__, query_words))


def signed(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def record_keys(context_words, query_words):
    """[(key, removed word)]: the whole prompt's key (removed "") and one key per word left out."""
    hashes = tagged_hashes(context_words, query_words)
    tokens = list(context_words) + list(query_words)
    total = sum(hashes) & MASK
    keys = {signed(total): ""}
    for h, token in zip(hashes, tokens):
        keys.setdefault(signed((total - h) & MASK), token)
    return list(keys.items())


def prompt_hashes(records):
    """(flat word hashes, words per prompt) for records, as numpy arrays; the expensive part of
    indexing, done per slice (in parallel by the dataset checker)."""
    flat, lengths = [], []
    for record in records:
        context, query = prompt_words(record)
        flat += tagged_hashes(context, query)
        lengths.append(len(context) + len(query))
    return np.asarray(flat, dtype=np.uint64), np.asarray(lengths, dtype=np.int64)


def batch_keys(hashes, lengths):
    """(keys, owner index, position of the removed word or -1) for many prompts (vectorised)."""
    n = len(lengths)
    owners_flat = np.repeat(np.arange(n), lengths)
    ends = np.cumsum(lengths)
    running = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(hashes, dtype=np.uint64)])
    totals = running[ends] - running[ends - lengths]  # sums modulo 2**64, like record_keys
    deletion = totals[owners_flat] - hashes
    keys = np.concatenate([totals, deletion]).view(np.int64)
    owners = np.concatenate([np.arange(n), owners_flat])
    positions = np.concatenate(
        [np.full(n, -1, dtype=np.int64), np.arange(len(hashes), dtype=np.int64) - (ends - lengths)[owners_flat]]
    )
    return keys, owners, positions


def exact_groups(hashes, lengths):
    """Per prompt, the index of the first prompt with the very same normalised words in the same
    order (itself when none comes before): one representative per group of equal prompts."""
    n = len(lengths)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    owners = np.repeat(np.arange(n), lengths)
    position = (np.arange(len(hashes), dtype=np.uint64) - starts[owners].astype(np.uint64)) + np.uint64(1)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 is the point
        mixed = (hashes ^ (position * np.uint64(0x9E3779B97F4A7C15))) * np.uint64(0xBF58476D1CE4E5B9)
        ends = starts + lengths
        running = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(mixed, dtype=np.uint64)])
        ordered = running[ends] - running[starts]
        running = np.concatenate([np.zeros(1, dtype=np.uint64), np.cumsum(hashes, dtype=np.uint64)])
        plain = running[ends] - running[starts]
    table = np.stack([ordered, plain, lengths.astype(np.uint64)], axis=1)
    _, first, inverse = np.unique(table, axis=0, return_index=True, return_inverse=True)
    return first[inverse.reshape(-1)].astype(np.int64)


def candidate_pairs(keys, owners, positions, removed_word, big_bucket=64):
    """Pairs of owners sharing a key. A key shared by very many prompts means they differ in one
    word at the same place (a template), so only owners whose removed words could be typos of one
    another are paired there. `removed_word(owner, position)` gives the word a key left out."""
    order = np.argsort(keys)
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    ends = np.r_[starts[1:], len(sorted_keys)]
    sizes = ends - starts
    # Buckets of up to big_bucket members: every pair, vectorised one bucket size at a time.
    lefts, rights = [], []
    for size in np.unique(sizes[(sizes > 1) & (sizes <= big_bucket)]).tolist():
        first = starts[sizes == size]
        members = owners[order[first[:, None] + np.arange(size)]]  # buckets x size
        for x in range(size - 1):
            for y in range(x + 1, size):
                lefts.append(members[:, x])
                rights.append(members[:, y])
    pairs = set()
    if lefts:
        a, b = np.concatenate(lefts), np.concatenate(rights)
        keep = a != b
        both = np.unique(np.stack([np.minimum(a[keep], b[keep]), np.maximum(a[keep], b[keep])], axis=1), axis=0)
        pairs.update(map(tuple, both.tolist()))
    for bucket in np.flatnonzero(sizes > big_bucket):
        idx = order[starts[bucket] : ends[bucket]]
        members = sorted({int(owners[i]): int(positions[i]) for i in idx}.items())
        if len(members) <= big_bucket:  # one prompt repeating a word fills a bucket by itself
            pairs.update(
                (members[x][0], members[y][0]) for x in range(len(members)) for y in range(x + 1, len(members))
            )
            continue
        exact = [o for o, pos in members if pos < 0]
        for o in exact[1:]:
            pairs.add((exact[0], o))
        removed = [(removed_word(o, pos), o) for o, pos in members if pos >= 0]
        removed = [(w, o) for w, o in removed if not has_digit(w) and len(w) >= 4]
        for key in (lambda w: w, lambda w: w[::-1]):  # typos keep either the start or the end
            ordered = sorted((key(w), w, o) for w, o in removed)
            for x in range(len(ordered)):
                for y in range(x + 1, min(x + 6, len(ordered))):
                    if ordered[x][0][:2] == ordered[y][0][:2] and is_typo(ordered[x][1], ordered[y][1]):
                        pairs.add(tuple(sorted((ordered[x][2], ordered[y][2]))))
    return pairs
