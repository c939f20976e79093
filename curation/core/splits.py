"""Train / validation / test splits that are seeded, reproducible and leak-free (plain Python).

Examples whose prompts are near-identical (the same notion as the duplicate and contradiction
checks) form a group, and a group always lands in one split. The order in which groups are dealt
out depends only on their content and the seed, never on database ids or insertion order, so
the same approved set with the same settings always gives the same splits. Optionally the split
is stratified by a field of the JSON answer (say "category"), so each split keeps its mix.
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


@dataclass
class SplitResult:
    splits: list  # "train" / "validation" / "test" per record
    groups: list  # near-duplicate group per record
    counts: dict = field(default_factory=dict)  # split -> count
    by_label: dict = field(default_factory=dict)  # label -> {split: count}


def assign_splits(records, config=SplitConfig(), groups=None):
    """Split records into train, validation and test by whole near-duplicate groups."""
    groups = groups if groups is not None else near_duplicate_groups(records)
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
    strata = pooled
    splits = [None] * len(records)
    for stratum in strata.values():
        stratum.sort()
        total = sum(len(members[g]) for _, g in stratum)
        targets = [ratio * total for ratio in config.ratios]
        filled = [0, 0, 0]
        for _, g in stratum:
            # the split furthest below its share gets the next group
            choice = min((s for s in range(3) if targets[s] > 0), key=lambda s: (filled[s] / targets[s], s))
            filled[choice] += len(members[g])
            for i in members[g]:
                splits[i] = SPLITS[choice]
    result = SplitResult(splits=splits, groups=groups)
    for i, s in enumerate(splits):
        result.counts[s] = result.counts.get(s, 0) + 1
        label = label_of(records[i], config.stratify_field)
        result.by_label.setdefault(label, {}).setdefault(s, 0)
        result.by_label[label][s] += 1
    return result
