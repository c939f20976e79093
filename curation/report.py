"""The check report: pairs stored by the checks, grouped into clusters for display."""

from django.db.models import Q

from curation.core.clusters import UnionFind
from curation.diffs import content_diff
from curation.models import Example, PairFinding


def clusters_for(project, kind, limit=50, hidden=frozenset()):
    """([cluster], number of clusters): a cluster is a dict with every one of its examples (oldest
    first) and the pairs among them; clusters are joined through pairs of the given kind. Pairs
    touching an example in `hidden` (ids the viewer may not see) are left out."""
    pairs = [
        (low, high, detail)
        for low, high, detail in PairFinding.objects.filter(project=project, kind=kind).values_list(
            "low_id", "high_id", "detail"
        )
        if low not in hidden and high not in hidden
    ]
    uf = UnionFind()
    for low, high, _ in pairs:
        uf.union(low, high)
    groups = {}
    for low, high, detail in pairs:
        groups.setdefault(uf.find(low), []).append((low, high, detail))
    ordered = sorted(groups.values(), key=lambda g: -len(g))
    shown = ordered[:limit]
    ids = {i for g in shown for low, high, _ in g for i in (low, high)}
    examples = Example.objects.select_related("author").in_bulk(list(ids))
    clusters = []
    for group in shown:
        member_ids = sorted({i for low, high, _ in group for i in (low, high)})
        members = [examples[i] for i in member_ids if i in examples]
        clusters.append(
            {
                "examples": members,
                "diff": content_diff(members[0].content(), members[1].content()) if len(members) > 1 else [],
                "pairs": [(examples.get(low), examples.get(high), detail) for low, high, detail in group],
            }
        )
    return clusters, len(ordered)


def cluster_of(project, kind, example_id):
    """The ids of the cluster (joined through pairs of kind) that example_id belongs to, itself
    included: what the report shows for it now."""
    members, frontier = {example_id}, {example_id}
    pairs = PairFinding.objects.filter(project=project, kind=kind)
    while frontier:
        linked = pairs.filter(Q(low_id__in=frontier) | Q(high_id__in=frontier)).values_list("low_id", "high_id")
        found = {i for pair in linked for i in pair} - members
        members |= found
        frontier = found
    return members


def telling_apart(a, b, width=90):
    """A line of each prompt for a list of pairs: what follows the words the two share at their
    start (a shared instruction template would otherwise fill both lines alike)."""

    def text(e):
        return " ".join(f"{e.prompt_text} {e.input or ''}".split())

    if text(a) == text(b):
        whole = text(a)
        return (whole if len(whole) <= width else whole[: width - 1].rstrip() + "…"), "(the same prompt)"
    first, second = text(a).split(" "), text(b).split(" ")
    shared = 0
    while shared < min(len(first), len(second)) - 1 and first[shared] == second[shared]:
        shared += 1
    shared = max(0, shared - 3)  # a few words of context before the first that differs

    def line(words):
        rest = " ".join(words[shared:])
        rest = rest if len(rest) <= width else rest[: width - 1].rstrip() + "…"
        return ("…" if shared else "") + rest

    return line(first), line(second)
