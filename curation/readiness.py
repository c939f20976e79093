"""Readiness of a dataset before training, for a dataset version or for the approved examples a
freeze would take (the plain-Python core is curation/core/readiness.py). It runs in a background
job; the report is the job's details, so each version's report is kept and the latest one for
the same target and thresholds is shown."""

import re

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from curation.core import readiness as core
from curation.core import semantic
from curation.core.splits import SplitConfig, carry_splits, content_key
from curation.models import Example, Finding, Job, PairFinding, Revision
from curation.versions import previous_splits
from studio.core.records import Record


def freeze_settings(project):
    """The split settings a freeze would start from: the latest version's, or the form's defaults."""
    latest = project.dataset_versions.order_by("-created_at", "-id").first()
    if latest is None:
        return SplitConfig(ratios=(0.8, 0.1, 0.1), seed=0, stratify_field="")
    return SplitConfig(ratios=tuple(latest.ratios), seed=latest.seed, stratify_field=latest.stratify_field)


def _embed():
    return semantic.embed if semantic.available() else None


def version_report(version, rules, progress=None):
    items = [
        core.Item(example_id or -item_id, split, record_of(instruction, input_, output, messages))
        for item_id, example_id, split, instruction, input_, output, messages in version.items.order_by(
            "id"
        ).values_list("id", "example_id", "split", "instruction", "input", "output", "messages")
    ]
    before = version.project.dataset_versions.filter(created_at__lt=version.created_at).order_by("-created_at").first()
    previous = (
        [record_of(*row) for row in before.items.values_list("instruction", "input", "output", "messages")]
        if before
        else None
    )
    # a version froze without error findings, or with the lead's reason for freezing anyway
    errors = 1 if version.findings_override else 0
    result = core.report(
        items,
        rules,
        embed=_embed(),
        previous=previous,
        errors=errors,
        errors_override=version.findings_override,
        progress=progress,
    )
    result["previous_version"] = {"id": before.id, "name": before.name} if before else None
    return result


def approved_report(project, rules, progress=None):
    """The approved examples, split as a freeze with the latest version's settings would split
    them (old examples keep their split, new ones are dealt; near-duplicates kept together as the
    checks paired them)."""
    rows = list(
        Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None)
        .order_by("id")
        .values_list("id", "instruction", "input", "output", "messages")
    )
    records = [record_of(*row[1:]) for row in rows]
    ids = [row[0] for row in rows]
    config = freeze_settings(project)
    splits = [""] * len(ids)
    latest = None
    if ids:
        latest, before, before_keys = previous_splits(project, ids)
        edited = {i for i, r in zip(ids, records) if i in before_keys and before_keys[i] != content_key(r)}
        groups = stored_groups(project, ids)
        splits = carry_splits(records, ids, before, config, groups=groups, edited=edited).splits
    items = [core.Item(i, s, r) for i, s, r in zip(ids, splits, records)]
    previous = (
        [record_of(*row) for row in latest.items.values_list("instruction", "input", "output", "messages")]
        if latest
        else None
    )
    result = core.report(
        items, rules, embed=_embed(), previous=previous, errors=open_errors(project), progress=progress
    )
    result["previous_version"] = {"id": latest.id, "name": latest.name} if latest else None
    result["split_settings"] = {
        "ratios": list(config.ratios),
        "seed": config.seed,
        "stratify_field": config.stratify_field,
    }
    return result


def stored_groups(project, ids):
    """A group number per example: examples the checks paired (same prompt: duplicate or
    contradiction) share one. The freeze finds these groups afresh with the whole scan (minutes on
    100,000 realistic examples); the report takes the pairs the checks keep up to date on save."""
    from curation.core.clusters import UnionFind

    position = {example_id: n for n, example_id in enumerate(ids)}
    uf = UnionFind()
    for low, high in PairFinding.objects.filter(project=project).values_list("low_id", "high_id").iterator(5000):
        if low in position and high in position:
            uf.union(position[low], position[high])
    roots, groups = {}, []
    for n in range(len(ids)):
        groups.append(roots.setdefault(uf.find(n), len(roots)))
    return groups


def open_errors(project):
    """Error findings on the project's approved examples, and contradictions between two of them."""
    live = {"status": Example.Status.APPROVED, "deleted_at": None}
    errors = Finding.objects.filter(
        project=project, severity="error", **{f"example__{k}": v for k, v in live.items()}
    ).count()
    errors += PairFinding.objects.filter(
        project=project,
        kind="contradiction",
        **{f"low__{k}": v for k, v in live.items()},
        **{f"high__{k}": v for k, v in live.items()},
    ).count()
    return errors


def record_of(instruction, input_, output, messages):
    """A Record from the columns of an example or a frozen item."""
    return Record.chat(messages) if messages else Record(instruction=instruction, input=input_, output=output)


def _reports(project, version=None):
    """The finished readiness jobs of a version (or of the approved examples), newest first."""
    jobs = Job.objects.filter(project=project, kind=Job.Kind.READINESS, status=Job.Status.SUCCEEDED)
    jobs = jobs.filter(details__version_id=version.id) if version else jobs.filter(details__version_id=None)
    return jobs.order_by("-finished_at", "-id")


def latest(project, version=None):
    """The latest finished readiness job for a version (or for the approved examples)."""
    return _reports(project, version).first()


def approved_changed_since(project, job):
    """How the approved examples changed since a report on them: (examples approved, edited or
    removed since, count now)."""
    approved = Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None)
    now = approved.count()
    changed = Example.objects.filter(project=project, updated_at__gt=job.started_at).count() if job.started_at else 0
    return changed, now


RECHECK_INLINE = 200  # examples a phrasing change checks again at once; beyond, a scan job does


def _spaced(text):
    """A regular expression (PostgreSQL's and Python's alike) for `text` with any spacing."""
    return r"^\s*" + r"\s+".join(re.escape(w) for w in text.split()) + r"\s*$"


def unify(project, phrasings, chosen, user):
    """Give every live example whose instruction is one of `phrasings` (spacing aside) the
    instruction `chosen`; each keeps its status and gets a revision. Returns how many changed."""
    from curation import checking

    match = Q()
    for p in set(phrasings) | {chosen}:  # the chosen one typed with other spacing too
        if p.split():
            match |= Q(instruction__regex=_spaced(p))
    moment = timezone.now()
    with transaction.atomic():
        targets = (
            Example.objects.select_for_update()
            .filter(project=project, deleted_at=None)
            .filter(match)
            .exclude(instruction=chosen)
        )
        ids = list(targets.values_list("id", flat=True))
        Example.objects.filter(id__in=ids).update(instruction=chosen, version=F("version") + 1, updated_at=moment)
        Revision.objects.bulk_create(
            [Revision.of(e, user, "unified phrasing") for e in Example.objects.filter(id__in=ids)], batch_size=1000
        )
        if len(ids) <= RECHECK_INLINE:
            checking.recheck_since(project, moment)
        elif not Job.objects.filter(
            project=project, kind=Job.Kind.SCAN, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).exists():  # many examples: the whole-dataset check, in the background
            Job.objects.create(project=project, kind=Job.Kind.SCAN, user=user).enqueue()
    return len(ids)


def outlier_notes(project, example_id):
    """Why the latest report on the approved examples calls this example an outlier ([] if it does
    not): only that part of the report is read."""
    row = _reports(project).values_list("details__outliers", flat=True).first()
    return [o["why"] for o in row or [] if o.get("example") == example_id]
