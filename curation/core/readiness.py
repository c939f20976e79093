"""Is a dataset ready to train on? The questions every fine-tuning guide asks before training,
answered for a set of examples (plain Python + numpy):

- balance: the classes of each JSON answer field with few values, chat turn counts and lengths,
  overall and per split;
- coverage: the prompts grouped into topics by the checks' embeddings, each topic's size per
  split, topics missing from test or thin in train, and how topics changed since a previous set;
- outliers: examples far from every topic, or with an extreme length for their topic;
- consistency: one task phrased many ways, and answers whose format differs within a task;
- a verdict against thresholds the lead sets.

`report(items, rules, embed=...)` returns plain JSON-ready dicts; curation/readiness.py runs it
in a background job for a dataset version or for the approved examples before a freeze.
"""

import json
import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, fields

import numpy as np

from curation.core.answer_comparison import is_code, load_json
from curation.core.prompt_match import main_and_side
from curation.core.text import normalize, words
from curation.core.wordlists import STOPWORDS
from studio.core.charts import bins

SPLITS = ("train", "validation", "test")
MIN_FOR_TOPICS = 20  # fewer prompts than this are not grouped into topics
MAX_TOPICS = 24
SAMPLE = 1500  # prompts the number of topics is chosen on
MAX_CLASSES = 20  # a field with more distinct values is not a class field
MAX_LISTED = 50  # outliers, odd formats and phrasings listed per report section
TOPIC_EXAMPLES = 3
FAR = 0.5  # a prompt less alike than this to its nearest topic's centre is far from every topic


class RulesError(ValueError):
    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


@dataclass(frozen=True)
class ReadinessRules:
    """The thresholds of the verdict, with the guides' defaults ("at least 100 examples, 500+
    preferred"); the lead changes them on the readiness page."""

    min_examples: int = 100
    preferred_examples: int = 500
    min_class_share: float = 5.0  # percent of the examples that carry the field
    min_class_examples: int = 10
    max_split_gap: float = 10.0  # percentage points between a class's share in train and in test
    min_topic_train: int = 3

    @classmethod
    def from_dict(cls, data):
        data = dict(data or {})
        values = {}
        for f in fields(cls):
            raw = data.get(f.name)
            if raw is None or str(raw).strip() == "":  # left blank: the default
                raw = getattr(cls, f.name)
            try:
                value = float(raw) if f.type is float or f.type == "float" else int(str(raw).strip())
            except (TypeError, ValueError):
                raise RulesError(f.name, f"must be a number, not {raw!r}") from None
            percent = f.name in ("min_class_share", "max_split_gap")
            if value < 0 or (percent and value > 100):
                raise RulesError(f.name, "must be from 0 to 100" if percent else "must be 0 or more")
            values[f.name] = value
        if values["preferred_examples"] < values["min_examples"]:
            raise RulesError("preferred_examples", "must be at least the minimum number of examples")
        return cls(**values)

    def as_dict(self):
        return asdict(self)


@dataclass
class Item:
    """One example as the report sees it: its id, its split ("" before a freeze) and its record."""

    example: int
    split: str
    record: object


# --- balance ------------------------------------------------------------------------------------


def _json_object(text):
    value = load_json(text or "")
    return value if isinstance(value, dict) else None


def _label(value):
    """A class value as the page shows it: a string as it is, a number or boolean as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _is_class_value(value):
    return isinstance(value, (str, int, bool)) and len(str(value)) <= 60


def class_fields(answers):
    """{field: [value per answer, None where absent]} for the top-level fields of JSON answers
    that take a few short values (a category, a priority), not ids or free text."""
    objects = [_json_object(a) for a in answers]
    carrying = [o for o in objects if o is not None]
    if len(carrying) < max(2, len(answers) // 2):
        return {}
    seen = defaultdict(list)
    for o in carrying:
        for key, value in o.items():
            if _is_class_value(value):
                seen[key].append(_label(value))
    found = {}
    for key, values in seen.items():
        distinct = len(set(values))
        if len(values) >= len(carrying) / 2 and 2 <= distinct <= MAX_CLASSES and distinct <= len(values) / 2:
            found[key] = [
                _label(o[key]) if o is not None and key in o and _is_class_value(o[key]) else None for o in objects
            ]
    return found


def _splits_present(items):
    present = {i.split for i in items}
    return [s for s in SPLITS if s in present]


def balance(items, rules):
    """The classes of each class field with counts overall and per split, the flags on them,
    chat turn counts and length summaries."""
    splits = _splits_present(items)
    answers = [i.record.answer() for i in items]
    result = {"fields": [], "turns": None, "lengths": []}  # lengths: [[field, figures]], in this order
    for field, values in class_fields(answers).items():
        carried = [(v, i.split) for v, i in zip(values, items) if v is not None]
        total = len(carried)
        counts = Counter(v for v, _ in carried)
        per_split = {s: Counter(v for v, sp in carried if sp == s) for s in splits}
        split_totals = {s: sum(c.values()) for s, c in per_split.items()}
        classes = []
        for value, count in counts.most_common():
            share = 100.0 * count / total
            flags = []
            if share < rules.min_class_share:
                flags.append(f"{share:.1f}% of the examples, under the {rules.min_class_share:g}% you set")
            if count < rules.min_class_examples:
                flags.append(
                    f"{count} example{'s' if count != 1 else ''}, under the {rules.min_class_examples} you set"
                )
            by_split = {s: per_split[s].get(value, 0) for s in splits}
            shares = {s: (100.0 * by_split[s] / split_totals[s] if split_totals[s] else 0.0) for s in splits}
            if "train" in splits and "test" in splits and split_totals["test"]:
                gap = shares["test"] - shares["train"]
                # a small test set strays from train by chance: three standard errors of its share
                p = count / total
                train_n = max(1, split_totals.get("train", 0))
                chance = 300.0 * math.sqrt(p * (1 - p) * (1 / split_totals["test"] + 1 / train_n))
                if abs(gap) > max(rules.max_split_gap, chance):
                    flags.append(
                        f"{shares['train']:.0f}% of train but {shares['test']:.0f}% of test "
                        f"(more than {rules.max_split_gap:g} points apart)"
                    )
                if by_split["test"] == 0 and count * split_totals["test"] / total >= 3:  # 0 by chance: < 5%
                    flags.append("no test examples")
            classes.append(
                {
                    "value": value,
                    "count": count,
                    "share": round(share, 1),
                    "by_split": by_split,
                    "split_shares": {s: round(v, 1) for s, v in shares.items()},
                    "flags": flags,
                }
            )
        result["fields"].append(
            {"field": field, "total": total, "missing": len(items) - total, "classes": classes, "splits": splits}
        )
    chats = [i for i in items if i.record.is_chat]
    if chats:
        turns = Counter()
        by_split = defaultdict(Counter)
        for i in chats:
            n = sum(1 for m in i.record.messages if m["role"] == "assistant")
            turns[n] += 1
            by_split[i.split][n] += 1
        result["turns"] = {
            "counts": sorted(turns.items()),
            "by_split": {s: sorted(by_split[s].items()) for s in splits},
        }
    for name, get in (
        ("instruction", lambda r: main_and_side(r)[0] if not r.is_chat else r.prompt()[1] or r.prompt()[0]),
        ("input", lambda r: "" if r.is_chat else r.input),
        ("output", lambda r: r.answer()),
    ):
        lengths = [len(get(i.record) or "") for i in items]
        if not any(lengths):
            continue
        result["lengths"].append(
            [
                name,
                {
                    "bins": bins([n for n in lengths if n]),
                    # lists, not dicts: PostgreSQL's jsonb keeps no key order, and train comes first
                    "by_split": [
                        [s, _summary([n for n, i in zip(lengths, items) if i.split == s and n])] for s in splits
                    ],
                    "overall": _summary([n for n in lengths if n]),
                },
            ]
        )
    return result


def _summary(values):
    if not values:
        return {"count": 0, "median": 0, "p95": 0, "max": 0}
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "median": ordered[len(ordered) // 2],
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "max": ordered[-1],
    }


# --- topics -------------------------------------------------------------------------------------


def _kmeans(vectors, k, rng, iterations=20):
    """Spherical k-means with k-means++ starts: (unit centres, label per vector)."""
    n = len(vectors)
    first = int(rng.integers(n))
    chosen = [first]
    closest = 1.0 - vectors @ vectors[first]
    for _ in range(1, k):
        weights = np.maximum(closest, 0.0) ** 2
        total = weights.sum()
        nxt = int(rng.choice(n, p=weights / total)) if total > 0 else int(rng.integers(n))
        chosen.append(nxt)
        closest = np.minimum(closest, 1.0 - vectors @ vectors[nxt])
    centres = vectors[chosen].copy()
    labels = None
    for _ in range(iterations):
        new = _nearest(vectors, centres)
        if labels is not None and np.array_equal(new, labels):
            break
        labels = new
        centres = _centres(vectors, labels, k, centres)
    return centres, labels


def _nearest(vectors, centres):
    return (
        np.concatenate([np.argmax(vectors[s : s + 8192] @ centres.T, axis=1) for s in range(0, len(vectors), 8192)])
        if len(vectors)
        else np.zeros(0, np.int64)
    )


def _centres(vectors, labels, k, old):
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    for c in range(k):  # k is small; one masked sum per topic
        members = labels == c
        if members.any():
            sums[c] = vectors[members].sum(axis=0)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return np.where(norms > 0, sums / np.maximum(norms, 1e-9), old).astype(np.float32)


def _silhouette(distances, labels, k):
    """Mean silhouette of a labelling, from a precomputed distance matrix."""
    onehot = np.zeros((len(labels), k), dtype=np.float32)
    onehot[np.arange(len(labels)), labels] = 1.0
    sizes = onehot.sum(axis=0)
    sums = distances @ onehot  # each point's summed distance to each topic
    own = sizes[labels]
    a = sums[np.arange(len(labels)), labels] / np.maximum(own - 1, 1)
    mean_to = sums / np.maximum(sizes, 1)
    mean_to[:, sizes == 0] = np.inf
    mean_to[np.arange(len(labels)), labels] = np.inf
    b = mean_to.min(axis=1)
    s = np.where(own > 1, (b - a) / np.maximum(np.maximum(a, b), 1e-9), 0.0)
    return float(s.mean())


def group_topics(vectors, seed=0, most=MAX_TOPICS):
    """(centres, label per vector). The number of topics grows with the data (about the square
    root of a quarter of the prompts, at most `most`); within half to three times that, the one whose
    silhouette on a sample is best, or within 5% of the best and larger, so that distinct subjects
    are not lumped together. (Silhouette alone prefers two topics whenever a small set of prompts
    stands apart from the rest, such as a few code requests among questions.)"""
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    n = len(vectors)
    rng = np.random.default_rng(seed)
    sample = vectors[rng.choice(n, SAMPLE, replace=False)] if n > SAMPLE else vectors
    top = max(2, min(most, len(sample) // 4, len(np.unique(sample, axis=0)) - 1))
    aim = max(2, min(top, round(math.sqrt(n / 4))))
    distances = np.clip(1.0 - sample @ sample.T, 0.0, 2.0)
    scored = []
    for k in range(max(2, math.ceil(aim / 2)), min(top, 3 * aim) + 1):
        centres, labels = _kmeans(sample, k, np.random.default_rng(seed + k))
        scored.append((_silhouette(distances, labels, k), k, centres))
    best = max(s for s, _, _ in scored)
    _, k, centres = max((t for t in scored if t[0] >= best - 0.05 * abs(best)), key=lambda t: t[1])
    labels = _nearest(vectors, centres)
    for _ in range(3):  # settle the centres on every prompt, not only the sample
        centres = _centres(vectors, labels, k, centres)
        labels = _nearest(vectors, centres)
    used = np.unique(labels)  # topics the whole set left empty go
    remap = -np.ones(k, dtype=np.int64)
    remap[used] = np.arange(len(used))
    return centres[used], remap[labels]


def _topic_words(texts_by_topic, all_texts, most=3):
    """The few words that set each topic apart (frequent in it, rarer elsewhere)."""
    df = Counter()
    topic_df = []
    for texts in texts_by_topic:
        c = Counter()
        for t in texts:
            c.update({w for w in words(t) if len(w) > 2 and w not in STOPWORDS and not w.isdigit()})
        topic_df.append(c)
        df.update(c)
    n = max(1, len(all_texts))
    names = []
    for texts, c in zip(texts_by_topic, topic_df):
        size = max(1, len(texts))
        scored = sorted(c.items(), key=lambda kv: (-(kv[1] / size) * math.log(n / df[kv[0]] + 1), kv[0]))
        names.append([w for w, _ in scored[:most]])
    return names


def topics(items, vectors, rules, previous_vectors=None):
    """Topics of the prompts, each with its size per split, a few example prompts nearest its
    centre, its flags, and its size in a previous set when `previous_vectors` is given; and the
    outliers (far from every topic, or with an extreme length for their topic)."""
    n = len(items)
    if n < MIN_FOR_TOPICS:
        return {
            "topics": [],
            "outliers": [],
            "note": f"{n} examples: too few to group into topics ({MIN_FOR_TOPICS} at least).",
        }
    norms = np.linalg.norm(vectors, axis=1)
    centres, labels = group_topics(vectors)
    # a topic of one or two prompts is no topic: k-means gives a stray prompt its own centre;
    # its prompts join the nearest real topic, where they show as outliers
    sizes = np.bincount(labels, minlength=len(centres))
    small = sizes < max(3, n // 1000)
    if small.any() and (~small).any():
        big = np.flatnonzero(~small)
        moved = np.isin(labels, np.flatnonzero(small))
        labels = labels.copy()
        labels[moved] = big[np.argmax(vectors[moved] @ centres[big].T, axis=1)]
        remap = -np.ones(len(centres), dtype=np.int64)
        remap[big] = np.arange(len(big))
        centres, labels = centres[big], remap[labels]
    k = len(centres)
    prompts = [main_and_side(i.record)[0] for i in items]
    cos = (vectors * centres[labels]).sum(axis=1)
    splits = _splits_present(items)
    names = _topic_words([[prompts[j] for j in np.flatnonzero(labels == t)] for t in range(k)], prompts)
    before = None
    if previous_vectors is not None and len(previous_vectors):
        before = np.bincount(_nearest(np.asarray(previous_vectors, np.float32), centres), minlength=k)
    has_test = "test" in splits
    test_share = sum(1 for i in items if i.split == "test") / n
    result = []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        by_split = {s: int(sum(1 for j in members if items[j].split == s)) for s in splits}
        closest = members[np.argsort(-cos[members])]
        shown, seen = [], set()
        for j in closest:
            text = normalize(prompts[j])
            if text and text not in seen:
                seen.add(text)
                shown.append({"example": items[j].example, "prompt": prompts[j][:200]})
            if len(shown) == TOPIC_EXAMPLES:
                break
        flags = []
        if has_test and by_split.get("test", 0) == 0 and len(members) * test_share >= 3:  # 0 by chance: < 5%
            flags.append("no test examples")
        if splits and by_split.get("train", 0) < rules.min_topic_train:
            flags.append(f"{by_split.get('train', 0)} training examples, under the {rules.min_topic_train} you set")
        result.append(
            {
                "topic": t + 1,
                "words": names[t],
                "size": int(len(members)),
                "share": round(100.0 * len(members) / n, 1),
                "by_split": by_split,
                "examples": shown,
                "before": int(before[t]) if before is not None else None,
                "flags": flags,
            }
        )
    order = sorted(range(k), key=lambda t: -result[t]["size"])
    renumber = {old: new + 1 for new, old in enumerate(order)}
    result = [dict(result[t], topic=renumber[t]) for t in order]
    outliers = _outliers(items, prompts, labels, cos, norms, renumber)
    return {
        "topics": result,
        "outliers": outliers,
        "note": "",
        "previous": int(len(previous_vectors)) if before is not None else None,
    }


def _robust(values):
    """(median, scaled median absolute deviation) of an array."""
    median = float(np.median(values))
    return median, 1.4826 * float(np.median(np.abs(values - median)))


def _outliers(items, prompts, labels, cos, norms, renumber):
    found = []
    answers = np.array([max(1, len(i.record.answer() or "")) for i in items], dtype=np.float64)
    asks = np.array([max(1, len(p)) for p in prompts], dtype=np.float64)
    for t in np.unique(labels):
        members = np.flatnonzero(labels == t)
        if len(members) < 4:
            continue
        median, spread = _robust(cos[members])
        # far below its topic's own spread, and not alike to it at all (a paraphrase of a tight
        # template is still about 0.7 alike; unrelated short texts 0.2-0.4)
        far = min(median - max(0.2, 4 * spread), FAR)
        for j in members:
            if norms[j] == 0:
                continue
            if cos[j] < far:
                found.append(
                    {
                        "example": items[j].example,
                        "split": items[j].split,
                        "topic": renumber[int(t)],
                        "why": f"far from every topic ({cos[j]:.2f} alike to its nearest, topic {renumber[int(t)]}, whose prompts are {median:.2f} alike to it)",
                        "prompt": prompts[j][:160],
                        "score": float(median - cos[j]),
                    }
                )
        for name, lengths in (("answer", answers), ("prompt", asks)):
            logs = np.log(lengths[members])
            centre, spread = _robust(logs)
            spread = max(spread, math.log(1.5))
            typical = math.exp(centre)
            extreme = [
                (j, math.exp(value - centre), abs(value - centre))
                for j, value in zip(members, logs)
                if abs(value - centre) > 4 * spread
                and not 0.2 < math.exp(value - centre) < 5
                and max(lengths[j], typical) >= 40
            ]
            # a whole group as short or as long (twenty "What is 15% of 1960?" among worded
            # questions) is a kind of example of its own, not an outlier
            most = max(2, len(members) // 50)
            for side in (True, False):
                if sum(1 for _, ratio, _ in extreme if (ratio > 1) == side) > most:
                    extreme = [e for e in extreme if (e[1] > 1) != side]
            for j, ratio, distance in extreme:
                found.append(
                    {
                        "example": items[j].example,
                        "split": items[j].split,
                        "topic": renumber[int(t)],
                        "why": f"{'long' if ratio > 1 else 'short'} {name} for its topic: {int(lengths[j]):,} characters, where topic {renumber[int(t)]}'s are about {int(typical):,}",
                        "prompt": prompts[j][:160],
                        "score": distance / spread / 10,
                    }
                )
    found.sort(key=lambda o: -o["score"])
    return found[:MAX_LISTED]


# --- consistency --------------------------------------------------------------------------------


def answer_format(text):
    """ "JSON", "code" or "prose": the shape of an answer."""
    stripped = (text or "").strip()
    if load_json(stripped) is not None:
        return "JSON"
    return "code" if is_code(stripped) else "prose"


def consistency(items, embed=None, same=0.85):
    """Tasks phrased several ways, and answers whose format differs within a task.

    A task is an instruction that comes with its own input (the instruction says what to do, the
    input what with): instructions alike in meaning (`same` cosine, by `embed`) or in wording are
    one task, reported when its phrasings repeat (a set of questions over one database schema,
    each asked once, is not a task phrased many ways). Chats and examples without input have no
    task phrasing to compare."""
    phrasing = Counter()
    members = defaultdict(list)
    for n, i in enumerate(items):
        r = i.record
        if r.is_chat or not (r.input or "").strip():
            continue
        text = " ".join(r.instruction.split())
        phrasing[text] += 1
        members[text].append(n)
    texts = [t for t, _ in phrasing.most_common(5000)]
    parent = list(range(len(texts)))

    def root(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    keys = {}
    for n, t in enumerate(texts):  # the same words: one task
        key = " ".join(words(t))
        if key in keys:
            parent[root(n)] = root(keys[key])
        else:
            keys[key] = n
    if embed is not None and len(texts) > 1:
        from curation.core.slots import slot_difference, slots_of

        vectors = embed(texts)
        slots = [slots_of(t) for t in texts]
        most = 16  # nearest phrasings looked at per phrasing: a chain joins the rest
        for start in range(0, len(texts), 2048):
            sims = vectors[start : start + 2048] @ vectors.T
            if sims.shape[1] > most:
                top = np.argpartition(-sims, most, axis=1)[:, :most]
                rows = np.repeat(np.arange(sims.shape[0]), most)
                cols = top.ravel()
                keep = sims[rows, cols] >= same
                pairs = zip(rows[keep], cols[keep])
            else:
                pairs = zip(*np.nonzero(sims >= same))
            for a, b in pairs:
                a, b = int(a) + start, int(b)
                if a == b or root(a) == root(b):  # a pair already joined (by a chain) needs no look
                    continue
                differ = slot_difference(slots[a], slots[b])
                # "the ticket below" / "this ticket": in a task's instruction, "below" and "above"
                # point at the input; a name, number or literal still makes another task
                if not differ or differ.startswith("another comparison"):
                    parent[root(a)] = root(b)
    groups = defaultdict(list)
    for n in range(len(texts)):
        groups[root(n)].append(n)
    tasks, formats = [], []
    for group in groups.values():
        rows = [m for n in group for m in members[texts[n]]]
        # a task's phrasings repeat (each used twice on average at least); a group of questions
        # each asked once, alike in meaning, is a set of different requests, not one task
        if len(group) > 1 and 2 * len(group) <= len(rows):
            ways = sorted(((texts[n], phrasing[texts[n]]) for n in group), key=lambda tc: (-tc[1], tc[0]))
            tasks.append(
                {
                    "count": len(rows),
                    "ways": len(ways),
                    "once": sum(1 for _, c in ways if c == 1),
                    "phrasings": [{"text": t, "count": c} for t, c in ways[:MAX_LISTED]],
                }
            )
        if len(rows) >= 5:
            kinds = {m: answer_format(items[m].record.answer()) for m in rows}
            counts = Counter(kinds.values())
            main, main_count = counts.most_common(1)[0]
            if len(counts) > 1 and main_count >= 0.6 * len(rows):
                odd = [items[m].example for m in rows if kinds[m] != main]
                formats.append(
                    {
                        "task": texts[group[0]],
                        "main": main,
                        "counts": dict(counts.most_common()),
                        "odd": odd[:MAX_LISTED],
                        "odd_count": len(odd),
                    }
                )
    tasks.sort(key=lambda t: (-t["ways"], -t["count"]))
    formats.sort(key=lambda f: -f["odd_count"])
    return {"tasks": tasks[:MAX_LISTED], "formats": formats[:MAX_LISTED]}


# --- the verdict --------------------------------------------------------------------------------


def verdict(total, rules, bal, cov, errors=0, errors_override="", splits_known=True):
    """[{level: pass | warn | fail, what, detail}] and the overall level: "ready", "warnings" or
    "not ready"."""
    checks = []

    def add(level, what, detail):
        checks.append({"level": level, "what": what, "detail": detail})

    if total < rules.min_examples:
        add("fail", "Enough examples", f"{total:,} examples; the guides ask for at least {rules.min_examples:,}.")
    elif total < rules.preferred_examples:
        add(
            "warn",
            "Enough examples",
            f"{total:,} examples: enough, though {rules.preferred_examples:,}+ are preferred.",
        )
    else:
        add("pass", "Enough examples", f"{total:,} examples.")
    small = [
        (f["field"], c["value"], c["count"])
        for f in bal["fields"]
        for c in f["classes"]
        if c["count"] < rules.min_class_examples or c["share"] < rules.min_class_share
    ]
    if not bal["fields"]:
        add("pass", "Enough examples per class", "No class field in the answers (JSON fields with a few values).")
    elif small:
        listed = ", ".join(f"{f} = {v} ({n})" for f, v, n in small[:6]) + (" …" if len(small) > 6 else "")
        add(
            "warn",
            "Enough examples per class",
            f"{len(small)} class{'es' if len(small) != 1 else ''} under your thresholds: {listed}.",
        )
    else:
        add(
            "pass",
            "Enough examples per class",
            f"Every class has at least {rules.min_class_examples} examples and {rules.min_class_share:g}%.",
        )
    if errors and errors_override:
        add("warn", "No open errors", f"Frozen with error findings, because: {errors_override}")
    elif errors:
        add(
            "fail",
            "No open errors",
            f"{errors:,} error finding(s) among these examples: fix them or say why on the freeze form.",
        )
    else:
        add("pass", "No open errors", "No error findings.")
    if not splits_known:
        add("warn", "Splits balanced", "Not split yet.")
    else:
        gaps = [
            (f["field"], c["value"], c["split_shares"].get("train", 0), c["split_shares"].get("test", 0))
            for f in bal["fields"]
            for c in f["classes"]
            if any("points apart" in flag or flag == "no test examples" for flag in c["flags"])
        ]
        if gaps:
            listed = ", ".join(f"{f} = {v} ({a:.0f}% train, {b:.0f}% test)" for f, v, a, b in gaps[:6])
            add(
                "warn",
                "Splits balanced",
                f"{len(gaps)} class(es) unevenly split: {listed}. Stratify by the field when you freeze.",
            )
        else:
            add(
                "pass",
                "Splits balanced",
                f"Every class's share of test is within {rules.max_split_gap:g} points of its share of train."
                if bal["fields"]
                else "No class field to compare.",
            )
    if not cov["topics"]:
        add("warn", "Every topic in test", cov.get("note") or "Topics could not be measured.")
    elif not splits_known:
        add("pass", "Every topic in test", f"{len(cov['topics'])} topics; splits are dealt when you freeze.")
    else:
        missing = [t for t in cov["topics"] if "no test examples" in t["flags"]]
        unlucky = [t for t in cov["topics"] if t["by_split"].get("test", 0) == 0 and t not in missing]
        if missing:
            add(
                "fail",
                "Every topic in test",
                f"{len(missing)} topic(s) have no test examples: "
                + ", ".join(f"{t['topic']} ({' '.join(t['words'])}, {t['size']})" for t in missing[:6])
                + ". The evaluation would not see them.",
            )
        elif unlucky:
            add(
                "warn",
                "Every topic in test",
                f"{len(unlucky)} of {len(cov['topics'])} topics have no test examples, which their size and the "
                "test share leave to chance: "
                + ", ".join(f"{t['topic']} ({' '.join(t['words'])}, {t['size']})" for t in unlucky[:6])
                + ". More examples of them, or a larger test share, would let the evaluation see them.",
            )
        else:
            add("pass", "Every topic in test", f"All {len(cov['topics'])} topics have test examples.")
    levels = {c["level"] for c in checks}
    overall = "not ready" if "fail" in levels else "warnings" if "warn" in levels else "ready"
    return overall, checks


def report(items, rules=ReadinessRules(), embed=None, previous=None, errors=0, errors_override="", progress=None):
    """Everything the readiness page shows, as JSON-ready dicts. `embed(texts)` gives unit
    vectors (the checks' semantic layer), None without it; `previous` holds the records of the
    version before, for how topics changed."""
    items = list(items)
    step = progress or (lambda done, total: None)
    step(0, 5)
    bal = balance(items, rules)
    step(1, 5)
    if embed is not None and items:
        vectors = embed([main_and_side(i.record)[0] for i in items])
        previous_vectors = embed([main_and_side(r)[0] for r in previous]) if previous else None
        step(2, 5)
        cov = topics(items, vectors, rules, previous_vectors)
    else:
        cov = {
            "topics": [],
            "outliers": [],
            "note": "The semantic layer is not available here, so topics were not measured.",
        }
    step(3, 5)
    con = consistency(items, embed)
    step(4, 5)
    splits_known = any(i.split for i in items)
    overall, checks = verdict(len(items), rules, bal, cov, errors, errors_override, splits_known)
    split_counts = Counter(i.split for i in items if i.split)
    return {
        "total": len(items),
        "splits": [[s, split_counts[s]] for s in SPLITS if s in split_counts],
        "rules": rules.as_dict(),
        "balance": bal,
        "coverage": {"topics": cov["topics"], "note": cov.get("note", ""), "previous": cov.get("previous")},
        "outliers": cov["outliers"],
        "consistency": con,
        "verdict": overall,
        "checks": checks,
    }
