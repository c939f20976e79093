"""Train / validation / test splits that are seeded, reproducible and leak-free (plain Python).

Examples whose prompts are near-identical (the same notion as the duplicate and contradiction
checks) form a group, and a group always lands in one split. The order in which groups are dealt
out depends only on their content and the seed, never on database ids or insertion order, so
the same approved set with the same settings always gives the same splits. Optionally the split
is stratified by a field of the JSON answer (say "category"), so each split keeps its mix.

From one version to the next, splits are carried over (`carry_splits`): an example and its group
keep their split, new groups are dealt out around them, and no held-out example moves into train
unless the lead re-splits with a reason.
"""

import hashlib
import json
from dataclasses import dataclass, field

from curation.core.clusters import UnionFind, find_clusters

SPLITS = ("train", "validation", "test")
NO_LABEL = "(none)"


class SplitError(ValueError):
    pass


@dataclass(frozen=True)
class SplitConfig:
    ratios: tuple = (0.8, 0.1, 0.1)
    seed: int = 0
    stratify_field: str = ""

    def __post_init__(self):
        if len(self.ratios) != 3 or any(r < 0 for r in self.ratios) or abs(sum(self.ratios) - 1) > 1e-6:
            raise SplitError(
                f"ratios must be three numbers of 0 or more that add up to 1 (train, validation, test), not {list(self.ratios)}"
            )
        if self.ratios[0] <= 0:
            raise SplitError("the train split cannot be empty")


def content_key(record):
    """A stable hash of one example's content (what a version freezes)."""
    data = {
        "instruction": record.instruction,
        "input": record.input,
        "output": record.output,
        "messages": [dict(m) for m in record.messages] or None,
    }
    if record.rejected:  # only a preference pair's key holds it: every other key stays as it was
        data["rejected"] = record.rejected
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def content_hash(records):
    """The hash of a set of examples: the same content gives the same hash, in any order."""
    digest = hashlib.sha256()
    for key in sorted(content_key(r) for r in records):
        digest.update(key.encode("ascii"))
    return digest.hexdigest()


def near_duplicate_groups(records):
    """A group number per record; records with near-identical prompts share one."""
    uf = UnionFind()
    for cluster in find_clusters(records):
        for member in cluster.members[1:]:
            uf.union(cluster.members[0], member)
    roots, groups = {}, []
    for i in range(len(records)):
        groups.append(roots.setdefault(uf.find(i), len(roots)))
    return groups


def label_of(record, field_name):
    """The value of a field of the JSON answer, as text; NO_LABEL when there is none."""
    if not field_name:
        return NO_LABEL
    try:
        value = json.loads(record.answer())
    except ValueError:
        return NO_LABEL
    if not isinstance(value, dict) or field_name not in value:
        return NO_LABEL
    return json.dumps(value[field_name], sort_keys=True, ensure_ascii=False).strip('"')


@dataclass(frozen=True)
class Move:
    """An example that is in another split than in the version it was carried over from."""

    example: object  # the example's id
    source: str  # its split in the previous version
    target: str  # its split now
    why: str

    def as_dict(self):
        return {"example": self.example, "from": self.source, "to": self.target, "why": self.why}


@dataclass
class SplitResult:
    splits: list  # "train" / "validation" / "test" per record
    groups: list  # near-duplicate group per record
    counts: dict = field(default_factory=dict)  # split -> count
    by_label: dict = field(default_factory=dict)  # label -> {split: count}
    moves: list = field(default_factory=list)  # [Move] against the previous version
    carried: int = 0  # examples that kept the split they had before


def assign_splits(records, config=SplitConfig(), groups=None):
    """Split records into train, validation and test by whole near-duplicate groups."""
    groups = groups if groups is not None else near_duplicate_groups(records)
    return _result(records, config, groups, _deal(records, config, groups, {}))


# a cluster whose members come from several splits goes to the most held-out of them
HELD_OUT = {"train": 0, "validation": 1, "test": 2}


def carry_splits(records, ids, previous, config=SplitConfig(), groups=None, edited=frozenset(), resplit=""):
    """Splits that keep what the previous version decided.

    `ids` names each record (an example is the same example by its id, even when edited);
    `previous` maps ids to their split in the previous version; `edited` holds the ids whose
    content changed since. A near-duplicate group keeps the split its members had; a group of
    new examples only is dealt out so the split ratios hold over the whole set; a new example
    that joins a group takes that group's split. When a group holds examples from several
    splits (a new or edited example bridges them), the group goes to the most held-out of
    those splits, so held-out data is never trained on, and every example that changes split
    is listed with why. Only `resplit`, the lead's reason, deals every group afresh; only
    then may a test or validation example move into train.
    """
    if len(ids) != len(records):
        raise SplitError(f"{len(ids)} ids for {len(records)} examples: each example needs exactly one id")
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1}, key=str)[:5]
        raise SplitError(f"example ids must be unique; given more than once: {', '.join(map(str, twice))}")
    unknown = sorted({s for s in previous.values() if s not in SPLITS})
    if unknown:
        raise SplitError(f"previous splits must be train, validation or test, not {', '.join(map(repr, unknown))}")
    groups = groups if groups is not None else near_duplicate_groups(records)
    resplit = resplit.strip()
    if resplit:
        splits = _deal(records, config, groups, {})
        moves = [
            Move(ids[i], previous[ids[i]], s, f"re-split by the lead: {resplit}")
            for i, s in enumerate(splits)
            if ids[i] in previous and previous[ids[i]] != s
        ]
        result = _result(records, config, groups, splits, moves)
        result.carried = sum(1 for i, s in zip(ids, splits) if previous.get(i) == s)
        return result
    members = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    fixed, moves = {}, []
    for g, idx in members.items():
        before = {previous[ids[i]] for i in idx if ids[i] in previous}
        if not before:
            continue
        split = max(before, key=HELD_OUT.get)
        fixed[g] = split
        if len(before) > 1:
            moves.extend(_merge_moves([ids[i] for i in idx], split, previous, edited))
    splits = _deal(records, config, groups, fixed)
    into_train = [m for m in moves if m.target == "train" and m.source != "train"]
    if into_train:  # the rule above cannot produce one; refuse rather than leak if it ever did
        raise SplitError(f"#{into_train[0].example} would move from {into_train[0].source} into train without a reason")
    result = _result(records, config, groups, splits, moves)
    result.carried = sum(1 for i, s in zip(ids, splits) if previous.get(i) == s)
    return result


def _merge_moves(cluster, split, previous, edited, most=5):
    """Moves for a near-duplicate group whose members were in several splits before."""
    keeping = [i for i in cluster if previous.get(i) == split]
    bridges = [i for i in cluster if i not in previous or i in edited]
    others = ", ".join(f"#{i}" for i in keeping[:most]) + (
        f" and {len(keeping) - most} more" if len(keeping) > most else ""
    )
    if bridges:
        named = ", ".join(("new " if i not in previous else "edited ") + f"#{i}" for i in bridges[:most])
        link = f"{named} made it a near-duplicate of {split} example{'s' if len(keeping) > 1 else ''} {others}"
    else:
        link = f"the near-duplicate check now groups it with {split} example{'s' if len(keeping) > 1 else ''} {others}"
    why = f"{link}; a group that spans splits goes to the most held-out one, so {split} data is never trained on"
    return [Move(i, previous[i], split, why) for i in cluster if i in previous and previous[i] != split]


def _deal(records, config, groups, fixed):
    """A split per record: groups in `fixed` ({group: split}) keep theirs; the others are dealt
    out, in an order that depends only on content and seed, to the split furthest below its
    share of the whole set (within each stratum when stratifying)."""
    keys = [content_key(r) for r in records]
    members = {}
    for i, g in enumerate(groups):
        members.setdefault(g, []).append(i)
    # A group's label is the most common label among its members (ties: the smallest label).
    strata = {}
    for g, idx in members.items():
        labels = [label_of(records[i], config.stratify_field) for i in idx]
        label = min(set(labels), key=lambda lab: (-labels.count(lab), lab))
        order = hashlib.sha256(f"{config.seed}:{min(keys[i] for i in idx)}".encode()).hexdigest()
        strata.setdefault(label, []).append((order, g))
    # A stratum too small to give each split its share is pooled with the other small ones,
    # so rare labels do not drag the overall ratios away from what was asked.
    smallest = min((r for r in config.ratios if r > 0), default=1)
    need = max(1, round(1 / smallest))
    pooled = {}
    for label, stratum in strata.items():
        size = sum(len(members[g]) for _, g in stratum)
        pooled.setdefault(label if size >= need else "(small labels)", []).extend(stratum)
    splits = [None] * len(records)
    for stratum in pooled.values():
        stratum.sort()
        total = sum(len(members[g]) for _, g in stratum)
        targets = [ratio * total for ratio in config.ratios]
        filled = [0, 0, 0]
        for _, g in stratum:
            if g in fixed:
                filled[SPLITS.index(fixed[g])] += len(members[g])
        for _, g in stratum:
            if g in fixed:
                choice = SPLITS.index(fixed[g])
            else:
                # the split furthest below its share gets the next group
                choice = min((s for s in range(3) if targets[s] > 0), key=lambda s: (filled[s] / targets[s], s))
                filled[choice] += len(members[g])
            for i in members[g]:
                splits[i] = SPLITS[choice]
    return splits


def _result(records, config, groups, splits, moves=()):
    result = SplitResult(splits=splits, groups=groups, moves=list(moves))
    for i, s in enumerate(splits):
        result.counts[s] = result.counts.get(s, 0) + 1
        label = label_of(records[i], config.stratify_field)
        result.by_label.setdefault(label, {}).setdefault(s, 0)
        result.by_label[label][s] += 1
    return result
