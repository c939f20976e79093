"""Duplicate and contradiction detection across a dataset (plain Python + numpy).

Two examples have the *same prompt* when their instruction and input are near-identical: equal
after normalising case, Unicode and whitespace, up to a few typo-level word edits and filler words
("please", "the"). A different number, a negation or a different content word makes a different
prompt: "capital of France?" and "capital of Germany?" are not duplicates. Many examples sharing
one instruction is normal; the input decides.

For each pair with the same prompt there is one diagnosis: *duplicate* when the answers agree,
*contradiction* when they conflict (JSON: a differing field value; short answers: a different
answer; free text: clearly divergent content).

Candidates come from a deletion-neighbourhood index: every prompt is a multiset of word hashes,
keyed by its sum and by the sum with each word removed. Two prompts one word apart (typo,
inserted or dropped word) share a key; equal prompts share all of them. The keys are stable
64-bit integers, so the database keeps them in an indexed table and a save looks up its own.
"""

import difflib
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np

from curation.core.text import normalize, words

MASK = (1 << 64) - 1
FILLER = frozenset(
    "a an the please kindly just so very really quick quickly simply also here there now hi hello hey thanks thank you ok okay".split()
)
# Words that can stand in for one another without changing what is asked ("How do I reset my
# password?" / "How can I reset the password?").
INTERCHANGEABLE = FILLER | frozenset("do does can could would will this that my your our their its".split())
NEGATIONS = frozenset(
    "not no never none nobody nothing neither nor cannot can't won't don't doesn't didn't isn't aren't wasn't weren't shouldn't wouldn't couldn't without "
    "nicht kein keine keinen nie niemals ohne pas ne jamais aucun aucune sans non nunca nada ningún ninguna sin mai nessun senza niet geen nooit zonder "
    "nie żaden bez не нет никогда без".split()
)
STOPWORDS = frozenset(
    """a an the and or but if then of to in on at by for with from as is are was were be been being it its this that these those
    i you he she we they me him her us them my your his our their do does did have has had will would can could should may might
    must shall not no so than too very just about into over under up down out off again further once here there when where why how
    all any both each few more most other some such only own same what which who whom""".split()
)
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
SHORT_ANSWER_WORDS = 6


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


def prompt_words(record):
    """(context words, query words) of a record, normalised."""
    context, query = record.prompt()
    return words(context), words(query)


def tagged_hashes(context_words, query_words):
    """Hashes of the prompt's words; the same word counts differently in instruction and input."""
    if len(_CONTEXT_HASHES) + len(_QUERY_HASHES) > 1 << 21:  # bound the memory of a long-lived worker
        _CONTEXT_HASHES.clear()
        _QUERY_HASHES.clear()
    return list(map(_CONTEXT_HASHES.__getitem__, context_words)) + list(map(_QUERY_HASHES.__getitem__, query_words))


def _signed(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def record_keys(context_words, query_words):
    """[(key, removed word)]: the whole prompt's key (removed "") and one key per word left out."""
    hashes = tagged_hashes(context_words, query_words)
    tokens = list(context_words) + list(query_words)
    total = sum(hashes) & MASK
    keys = {_signed(total): ""}
    for h, token in zip(hashes, tokens):
        keys.setdefault(_signed((total - h) & MASK), token)
    return list(keys.items())


# --- comparing two prompts -----------------------------------------------------------------


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


def _has_digit(word):
    return any(c.isdigit() for c in word)


def is_typo(a, b):
    """Two words that are one spelling slip apart (not two different words or numbers)."""
    if a == b:
        return True
    if a in NEGATIONS or b in NEGATIONS or _has_digit(a) or _has_digit(b):
        return False  # another number or code is another thing, never a slip
    shorter = min(len(a), len(b))
    if shorter < 4 or a[0] != b[0]:
        return False  # slips keep the first letter; ascending/descending, increase/decrease do not
    if a.startswith(b) or b.startswith(a):
        return False  # possible/impossibles, form/forms: a different word, not a slip
    return _edit_distance_at_most(a, b, 1 if shorter < 8 else 2)


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


# --- comparing two answers -----------------------------------------------------------------


def _load_json(text):
    text = text.strip()
    if not text or text[0] not in "{[":
        return None
    try:
        return json.loads(text)
    except ValueError:
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


# --- whole datasets --------------------------------------------------------------------------


@dataclass
class Cluster:
    """Examples sharing one prompt, split into groups whose answers agree."""

    members: list
    groups: list = field(default_factory=list)  # lists of member indexes; answers agree within a group
    conflicts: dict = field(default_factory=dict)  # (group i, group j) -> detail
    prompt_notes: dict = field(default_factory=dict)  # frozenset(pair) -> what differs in the prompts
    silenced: set = field(default_factory=set)  # pairs marked as intended variation


class UnionFind:
    def __init__(self):
        self.parent = {}

    def find(self, x):
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


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
        removed = [(w, o) for w, o in removed if not _has_digit(w) and len(w) >= 4]
        for key in (lambda w: w, lambda w: w[::-1]):  # typos keep either the start or the end
            ordered = sorted((key(w), w, o) for w, o in removed)
            for x in range(len(ordered)):
                for y in range(x + 1, min(x + 6, len(ordered))):
                    if ordered[x][0][:2] == ordered[y][0][:2] and is_typo(ordered[x][1], ordered[y][1]):
                        pairs.add(tuple(sorted((ordered[x][2], ordered[y][2]))))
    return pairs


def find_clusters(records, silenced=frozenset(), hashes=None):
    """Clusters of examples (indexes into records) that share a prompt, with their answer groups.

    `hashes` is prompt_hashes(records) when the caller computed it already (in parallel).
    `silenced` holds frozensets {i, j} of pairs marked as intended variation: they are never
    reported, though each may still be reported with a third example.
    """
    hashes, lengths = hashes if hashes is not None else prompt_hashes(records)
    keys, owners, positions = batch_keys(hashes, lengths)

    @cache
    def words_of(i):
        return prompt_words(records[i])

    def removed_word(owner, position):
        context, query = words_of(owner)
        return (context + query)[position]

    uf = UnionFind()
    notes = {}
    for i, j in candidate_pairs(keys, owners, positions, removed_word):
        same, detail = same_prompt(words_of(i), words_of(j))
        if same:
            uf.union(i, j)
            if detail:
                notes[frozenset((i, j))] = detail
    by_root = {}
    for i in list(uf.parent):
        by_root.setdefault(uf.find(i), []).append(i)
    clusters = []
    for members in by_root.values():
        if len(members) < 2:
            continue
        members = sorted(members)
        answers = {m: records[m].answer() for m in members}
        cluster = Cluster(members=members, prompt_notes={k: v for k, v in notes.items() if k <= set(members)})
        for m in members:
            for group in cluster.groups:
                if compare_answers(answers[group[0]], answers[m])[0] == "agree":
                    group.append(m)
                    break
            else:
                cluster.groups.append([m])
        for gi in range(len(cluster.groups)):
            for gj in range(gi + 1, len(cluster.groups)):
                cluster.conflicts[(gi, gj)] = compare_answers(
                    answers[cluster.groups[gi][0]], answers[cluster.groups[gj][0]]
                )[1]
        cluster.silenced = {pair for pair in silenced if pair <= set(members)}
        clusters.append(cluster)
    return clusters


def cluster_findings(clusters, label, finding_cls):
    """{index: [Finding]} for every example in a cluster. `label(i)` names an example for people
    ("line 12", "#345"); `related` holds the indexes of the other examples."""
    out = {}
    for cluster in clusters:
        silenced = cluster.silenced
        group_of = {m: gi for gi, group in enumerate(cluster.groups) for m in group}
        for m in cluster.members:
            gi = group_of[m]
            dupes = [o for o in cluster.groups[gi] if o != m and frozenset((m, o)) not in silenced]
            if dupes:
                note = cluster.prompt_notes.get(frozenset((m, dupes[0])), "")
                how = "the same prompt" if not note else f"a near-identical prompt ({note})"
                out.setdefault(m, []).append(
                    finding_cls(
                        "duplicate",
                        "warning",
                        f"{how} and the same answer as {_labels(dupes, label)}",
                        "",
                        tuple(dupes[:MAX_RELATED]),
                    )
                )
            others = [
                o
                for gj, group in enumerate(cluster.groups)
                if gj != gi
                for o in group
                if frozenset((m, o)) not in silenced
            ]
            if others:
                gj = group_of[others[0]]
                detail = cluster.conflicts[(min(gi, gj), max(gi, gj))]
                out.setdefault(m, []).append(
                    finding_cls(
                        "contradiction",
                        "error",
                        f"the same prompt as {_labels(others, label)} but a conflicting answer: {detail}",
                        "output",
                        tuple(others[:MAX_RELATED]),
                    )
                )
    return out


MAX_RELATED = 50  # a finding lists at most this many others; its message gives the full count


def _labels(indexes, label, most=5):
    names = [label(i) for i in indexes[:most]]
    more = f" and {len(indexes) - most} more" if len(indexes) > most else ""
    return ", ".join(names) + more


# --- keys kept in the database, for checking one example against a whole project on save ----

BUCKETS = 4
SIM_BANDS, SIM_ROWS = 12, 2
_SIM_SEEDS = [(0x9E3779B97F4A7C15 * (i + 1)) & MASK for i in range(SIM_BANDS * SIM_ROWS)]


def _mix(*parts):
    """A stable signed 64-bit key from a few integers."""
    digest = hashlib.blake2b(b"".join(p.to_bytes(8, "little") for p in parts), digest_size=8).digest()
    return _signed(int.from_bytes(digest, "little"))


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


def one_word_apart(words_a, words_b):
    """True when the two prompts differ by at most one word as multisets (what the dataset scan's
    deletion index finds), so a pair found on save is always found by a scan too."""
    from collections import Counter

    a = Counter(words_a[0]) + Counter("\x00" + w for w in words_a[1])
    b = Counter(words_b[0]) + Counter("\x00" + w for w in words_b[1])
    return sum((a - b).values()) <= 1 and sum((b - a).values()) <= 1


def similarity_keys(context_words, query_words):
    """MinHash band keys over the content words of the main part: examples about the same thing
    share some, and more shared bands mean more alike (for "similar approved examples")."""
    main_words = [w for w in (query_words or context_words) if w not in STOPWORDS]
    if not main_words:
        return []
    hashes = np.asarray([token_hash("s\x00" + w) for w in set(main_words)], dtype=np.uint64)
    seeds = np.asarray(_SIM_SEEDS, dtype=np.uint64)
    mins = ((hashes[None, :] ^ seeds[:, None]) * np.uint64(0xBF58476D1CE4E5B9)).min(axis=1)
    return [_mix(5, band, *mins[band * SIM_ROWS : (band + 1) * SIM_ROWS].tolist()) for band in range(SIM_BANDS)]


def cluster_pairs(cluster, all_pairs_up_to=50):
    """[(i, j, kind, detail)] for storing a cluster as pairs. Small clusters give every pair; in a
    large one each example is paired with the first example of its own group and of every other
    group, so each still shows its duplicates and contradictions without n² rows."""
    group_of = {m: gi for gi, group in enumerate(cluster.groups) for m in group}
    if len(cluster.members) <= all_pairs_up_to:
        candidates = [(a, b) for x, a in enumerate(cluster.members) for b in cluster.members[x + 1 :]]
    else:
        heads = [group[0] for group in cluster.groups]
        candidates = {tuple(sorted((m, h))) for m in cluster.members for h in heads if m != h}
    out = []
    for a, b in sorted(candidates):
        if frozenset((a, b)) in cluster.silenced:
            continue
        ga, gb = group_of[a], group_of[b]
        if ga == gb:
            out.append((a, b, "duplicate", cluster.prompt_notes.get(frozenset((a, b)), "")))
        else:
            out.append((a, b, "contradiction", cluster.conflicts[(min(ga, gb), max(ga, gb))]))
    return out
