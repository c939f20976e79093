"""Examples that share a prompt, grouped by whether their answers agree, and the findings and
pairs that report them (plain Python).

For each pair with the same prompt there is one diagnosis: *duplicate* when the answers agree,
*contradiction* when they conflict.
"""

from dataclasses import dataclass, field
from functools import cache

from curation.core.answer_comparison import compare_answers
from curation.core.candidate_index import batch_keys, candidate_pairs, prompt_hashes
from curation.core.prompt_comparison import prompt_words, same_prompt


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
