"""Freezing approved examples into a dataset version, and comparing versions."""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q

from curation.checking import project_rules, token_counter
from curation.core.checks import check_record
from curation.core.leakage import LEAK_THRESHOLD, leakage_report
from curation.core.splits import carry_splits, content_hash, content_key, label_of
from curation.diffs import content_diff
from curation.models import DatasetVersion, Example, Finding, PairFinding, VersionItem


class FreezeRefused(Exception):
    def __init__(self, message, details):
        super().__init__(message)
        self.details = details


@dataclass
class FreezePlan:
    examples: list
    records: list
    result: object  # SplitResult, with the moves against the previous version
    leaks: list  # [{test, train, similarity}] by example id, at or above the threshold
    errors: list  # [{example, kind, message}] for approved examples with error findings
    check_summary: dict = field(default_factory=dict)
    previous: object = None  # the version the splits were carried over from


def previous_splits(project, ids):
    """(the project's latest version or None, {example id: split}, {example id: content key}).

    The latest version is the reference. An example missing from it (unapproved for a while,
    or left out of a narrowed freeze) takes its split from the latest older version that holds
    it, so taking an example out and putting it back never re-deals it."""
    latest = project.dataset_versions.order_by("-created_at", "-id").first()
    splits, keys = {}, {}
    if latest is None:
        return None, splits, keys
    for example_id, split, key in latest.items.exclude(example_id=None).values_list(
        "example_id", "split", "content_key"
    ):
        splits[example_id], keys[example_id] = split, key
    missing = [i for i in ids if i not in splits]
    if missing and project.dataset_versions.count() > 1:
        older = VersionItem.objects.filter(version__project=project).exclude(version=latest)
        for start in range(0, len(missing), 5000):
            rows = older.filter(example_id__in=missing[start : start + 5000]).order_by(
                "-version__created_at", "-version_id"
            )
            for example_id, split, key in rows.values_list("example_id", "split", "content_key"):
                if example_id not in splits:
                    splits[example_id], keys[example_id] = split, key
    return latest, splits, keys


def plan(project, config, progress=None, examples=None, resplit=""):
    """What a freeze would produce, and what would block it. `examples` (a queryset) narrows
    the approved examples to freeze, e.g. the rows of one API upload. Splits are carried over
    from the previous version; `resplit` (the lead's reason) deals them afresh."""
    approved = Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None)
    examples = list(
        (examples if examples is not None else approved).filter(id__in=approved.values("id")).order_by("id")
    )
    if not examples:
        raise FreezeRefused("There are no approved examples to freeze.", {})
    records = [e.record() for e in examples]
    ids = [e.id for e in examples]
    previous, before, before_keys = previous_splits(project, ids)
    if progress:
        progress(1, 4)
    edited = {i for i, record in zip(ids, records) if i in before_keys and before_keys[i] != content_key(record)}
    result = carry_splits(records, ids, before, config, edited=edited, resplit=resplit)
    if progress:
        progress(2, 4)
    leaks = [
        {"test": ids[leak.test], "train": ids[leak.train], "similarity": leak.similarity}
        for leak in leakage_report(records, result.splits)
        if leak.similarity >= LEAK_THRESHOLD and leak.train >= 0
    ]
    if progress:
        progress(3, 4)
    approved = set(ids)
    # the single-example checks run again with today's rules (cheap), so rules tightened since
    # the last scan still block; stored pair findings cover duplicates and contradictions
    rules, count_tokens = project_rules(project), token_counter(project)
    errors = [
        {"example": ids[i], "kind": f.check, "message": f.message}
        for i, record in enumerate(records)
        for f in check_record(record, rules, count_tokens)
        if f.severity == "error"
    ]
    summary = {}
    for (kind,) in Finding.objects.filter(example_id__in=ids).values_list("kind"):
        summary[kind] = summary.get(kind, 0) + 1
    for low, high, kind, detail in PairFinding.objects.filter(Q(low_id__in=ids) & Q(high_id__in=ids)).values_list(
        "low_id", "high_id", "kind", "detail"
    ):
        summary[kind] = summary.get(kind, 0) + 1
        if kind == "contradiction" and low in approved and high in approved:
            errors.append({"example": low, "kind": "contradiction", "message": f"contradicts #{high}: {detail}"})
    return FreezePlan(examples, records, result, leaks, errors, summary, previous)


def freeze(
    project,
    user,
    *,
    name,
    note,
    config,
    findings_override="",
    leakage_override="",
    resplit_reason="",
    progress=None,
    examples=None,
):
    """Create the version, or raise FreezeRefused naming what blocks it. Splits are carried over
    from the previous version unless the lead gives `resplit_reason`, which is kept with it."""
    p = plan(project, config, progress, examples, resplit=resplit_reason)
    blocked = {}
    if p.errors and not findings_override.strip():
        blocked["errors"] = p.errors[:200]
    if p.leaks and not leakage_override.strip():
        blocked["leaks"] = p.leaks[:200]
    if blocked:
        parts = []
        if "errors" in blocked:
            parts.append(f"{len({e['example'] for e in p.errors})} approved example(s) carry errors")
        if "leaks" in blocked:
            parts.append(f"{len(p.leaks)} test example(s) are {LEAK_THRESHOLD:.0%} or more alike a training example")
        blocked["error_count"], blocked["leak_count"] = len(p.errors), len(p.leaks)
        raise FreezeRefused(
            "Not frozen: "
            + " and ".join(parts)
            + ". Fix them, or freeze anyway with a reason that is kept with the version.",
            blocked,
        )
    with transaction.atomic():
        version = DatasetVersion.objects.create(
            project=project,
            name=name,
            note=note,
            content_hash=content_hash(p.records),
            seed=config.seed,
            ratios=list(config.ratios),
            stratify_field=config.stratify_field,
            counts=p.result.counts,
            label_counts=p.result.by_label,
            synthetic_count=sum(1 for e in p.examples if e.synthetic),
            check_summary=p.check_summary,
            findings_override=findings_override.strip() if p.errors else "",
            leakage=p.leaks[:500],
            leakage_override=leakage_override.strip() if p.leaks else "",
            based_on=p.previous,
            resplit_reason=resplit_reason.strip() if p.previous else "",
            split_moves=[m.as_dict() for m in p.result.moves],
            created_by=user,
        )
        VersionItem.objects.bulk_create(
            [
                VersionItem(
                    version=version,
                    example_id=e.id,
                    example_version=e.version,
                    split=split,
                    group=group,
                    label=label_of(record, config.stratify_field) if config.stratify_field else "",
                    content_key=content_key(record),
                    instruction=e.instruction,
                    input=e.input,
                    output=e.output,
                    messages=e.messages,
                    rejected=e.rejected,
                )
                for e, record, split, group in zip(p.examples, p.records, p.result.splits, p.result.groups)
            ],
            batch_size=2000,
        )
    return version


def diff_versions(old, new, limit=200):
    """Rows added, removed and edited from `old` to `new`, matched by the example they came from,
    and every example that is in another split, with why."""

    def index(version):
        """{identity: (item id, content key, split)}, without the texts (a version may hold 100,000)."""
        return {
            (example_id or f"k{key}"): (item_id, key, split)
            for item_id, example_id, key, split in version.items.values_list("id", "example_id", "content_key", "split")
        }

    a, b = index(old), index(new)
    both = a.keys() & b.keys()
    added = sorted(b.keys() - a.keys(), key=str)
    removed = sorted(a.keys() - b.keys(), key=str)
    edited = sorted((k for k in both if a[k][1] != b[k][1]), key=str)
    # held-out data that reached train first: the moves that matter most
    moved = sorted(
        (k for k in both if a[k][2] != b[k][2]),
        key=lambda k: (b[k][2] != "train", isinstance(k, str), k if isinstance(k, int) else 0, str(k)),
    )
    shown = [a[k][0] for k in removed[:limit] + edited[:limit] + moved[:limit]] + [
        b[k][0] for k in added[:limit] + edited[:limit] + moved[:limit]
    ]
    items = VersionItem.objects.in_bulk(shown)
    why = move_reasons(old, new, [k for k in moved[:limit] if isinstance(k, int)])
    return {
        "added": [items[b[k][0]] for k in added[:limit]],
        "removed": [items[a[k][0]] for k in removed[:limit]],
        "edited": [
            (items[a[k][0]], items[b[k][0]], content_diff(items[a[k][0]].content(), items[b[k][0]].content()))
            for k in edited[:limit]
        ],
        "moved": [
            (
                items[a[k][0]],
                items[b[k][0]],
                why.get(k, "not recorded: a version between them was frozen before splits were carried over"),
            )
            for k in moved[:limit]
        ],
        "counts": {
            "added": len(added),
            "removed": len(removed),
            "edited": len(edited),
            "moved": len(moved),
            "into_train": sum(1 for k in moved if b[k][2] == "train"),
            "unchanged": len(both) - len(edited),
        },
    }


def move_reasons(old, new, example_ids):
    """{example id: why it changed split} between two versions of a project, from the moves each
    version in between recorded (in either direction of comparison)."""
    first, last = sorted((old, new), key=lambda v: (v.created_at, v.id))
    between = (
        DatasetVersion.objects.filter(project_id=first.project_id, created_at__gte=first.created_at)
        .filter(created_at__lte=last.created_at)
        .exclude(id=first.id)
        .order_by("created_at", "id")
    )
    wanted, out = set(example_ids), {}
    versions = list(between.only("id", "name", "split_moves", "created_at"))
    for version in versions:
        for move in version.split_moves:
            if move["example"] in wanted:
                # over several versions, each step says where and when it happened
                step = (
                    move["why"]
                    if len(versions) == 1
                    else f"{move['from']} → {move['to']} in {version.name}: {move['why']}"
                )
                out[move["example"]] = f"{out[move['example']]}; then {step}" if move["example"] in out else step
    return out
