"""Pages for dataset versions: the list, freezing a new one, a version, and comparing two."""

import json

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET
from django.shortcuts import get_object_or_404, redirect, render

from curation.forms import FreezeForm
from curation.listing import PAGE_SIZE
from curation.models import Example, Job
from curation.tasks import enqueue
from curation.versions import diff_versions
from studio.access import project_for
from studio.models import Action, Role


def _answer_fields(project, sample=500):
    """Fields of the JSON answers of approved examples, most common first (for stratifying)."""
    counts = {}
    for output in Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None).values_list("output", flat=True)[:sample]:
        try:
            value = json.loads(output)
        except ValueError:
            continue
        if isinstance(value, dict):
            for key, v in value.items():
                if isinstance(v, (str, int, bool)) and len(str(v)) <= 60:
                    counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda k: -counts[k])


@login_required
@require_GET
def version_list(request, slug):
    project = project_for(request, slug, Action.VIEW)
    versions = project.dataset_versions.select_related("created_by")
    approved = Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None).count()
    return render(request, "curation/version_list.html", {"project": project, "versions": versions, "approved": approved, "is_lead": project.membership.role == Role.LEAD})


@login_required
def freeze_version(request, slug):
    project = project_for(request, slug, Action.MANAGE_PROJECT)
    form = FreezeForm(request.POST or None, initial=request.GET.dict() or None, fields_available=_answer_fields(project), project=project)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        details = {
            "name": d["name"], "note": d["note"], "ratios": [d["train"] / 100, d["validation"] / 100, d["test"] / 100], "seed": d["seed"],
            "stratify_field": d["stratify_field"], "findings_override": d["findings_override"], "leakage_override": d["leakage_override"],
        }
        job = Job.objects.create(project=project, kind=Job.Kind.FREEZE, user=request.user, details=details)
        enqueue("freeze", job)
        return redirect("curation:job", slug, job.id)
    approved = Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None).count()
    return render(request, "curation/freeze.html", {"project": project, "form": form, "approved": approved})


@login_required
@require_GET
def version_detail(request, slug, version_id):
    project = project_for(request, slug, Action.VIEW)
    version = get_object_or_404(project.dataset_versions.select_related("created_by"), id=version_id)
    split = request.GET.get("split", "train")
    split = split if split in ("train", "validation", "test") else "train"
    after = request.GET.get("after")
    items = version.items.filter(split=split).order_by("id")
    if after and after.isdigit():
        items = items.filter(id__gt=int(after))
    items = list(items[: PAGE_SIZE + 1])
    more = items[PAGE_SIZE - 1].id if len(items) > PAGE_SIZE else None  # the next page starts after it
    items = items[:PAGE_SIZE]
    others = project.dataset_versions.exclude(id=version.id)
    return render(request, "curation/version_detail.html", {
        "project": project, "version": version, "items": items, "split": split, "more": more, "others": others,
        "labels": sorted(version.label_counts.items()),
    })


@login_required
@require_GET
def version_diff(request, slug, version_id, other_id):
    project = project_for(request, slug, Action.VIEW)
    old = get_object_or_404(project.dataset_versions, id=other_id)
    new = get_object_or_404(project.dataset_versions, id=version_id)
    return render(request, "curation/version_diff.html", {"project": project, "old": old, "new": new, "diff": diff_versions(old, new)})


@login_required
@require_GET
def compare_versions(request, slug, version_id):
    """The compare form on a version page: go to the diff with the chosen other version."""
    project = project_for(request, slug, Action.VIEW)
    version = get_object_or_404(project.dataset_versions, id=version_id)
    other = get_object_or_404(project.dataset_versions, id=int(request.GET.get("other") or 0))
    return redirect("curation:version-diff", slug, version.id, other.id)
