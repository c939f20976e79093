"""Pages for dataset versions: the list, freezing a new one, a version, and comparing two."""

import json

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from curation.forms import FreezeForm
from curation.listing import PAGE_SIZE
from curation.models import Example, Job
from curation.readiness import latest as readiness_latest
from curation.versions import diff_versions
from studio.access import project_view, require
from studio.core.charts import histogram
from studio.models import Action, Role


def _answer_fields(project, sample=500):
    """Fields of the JSON answers of approved examples, most common first (for stratifying)."""
    counts = {}
    for output in Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None).values_list(
        "output", flat=True
    )[:sample]:
        try:
            value = json.loads(output)
        except ValueError:
            continue
        if isinstance(value, dict):
            for key, v in value.items():
                if isinstance(v, (str, int, bool)) and len(str(v)) <= 60:
                    counts[key] = counts.get(key, 0) + 1
    return sorted(counts, key=lambda k: -counts[k])


@project_view(Action.VIEW)
@require_GET
def version_list(request, project):
    versions = project.dataset_versions.select_related("created_by")
    approved = Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None).count()
    return render(
        request,
        "curation/version_list.html",
        {
            "project": project,
            "versions": versions,
            "approved": approved,
            "is_lead": project.membership.role == Role.LEAD,
        },
    )


@project_view(Action.MANAGE_PROJECT)
def freeze_version(request, project):
    form = FreezeForm(
        request.POST or None,
        initial=request.GET.dict() or None,
        fields_available=_answer_fields(project),
        project=project,
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        details = {
            "name": d["name"],
            "note": d["note"],
            "ratios": [d["train"] / 100, d["validation"] / 100, d["test"] / 100],
            "seed": d["seed"],
            "stratify_field": d["stratify_field"],
            "findings_override": d["findings_override"],
            "leakage_override": d["leakage_override"],
            "resplit_reason": d["resplit_reason"],
        }
        job = Job.objects.create(project=project, kind=Job.Kind.FREEZE, user=request.user, details=details)
        job.enqueue()
        return redirect("curation:job", project.slug, job.id)
    approved = Example.objects.filter(project=project, status=Example.Status.APPROVED, deleted_at=None).count()
    return render(
        request,
        "curation/freeze.html",
        {"project": project, "form": form, "approved": approved, "readiness": readiness_latest(project)},
    )


@project_view(Action.VIEW)
@require_GET
def version_detail(request, project, version_id):
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
    from curation.version_export import FORMATS

    return render(
        request,
        "curation/version_detail.html",
        {
            "project": project,
            "version": version,
            "items": items,
            "split": split,
            "more": more,
            "others": others,
            "labels": sorted(version.label_counts.items()),
            "readiness": readiness_latest(project, version),
            "formats": FORMATS.items(),
            "preference_pairs": version.items.exclude(rejected="").filter(messages__isnull=True).count(),
            "is_lead": project.membership.role == Role.LEAD,
        },
    )


@project_view(Action.VIEW)
@require_GET
def version_diff(request, project, version_id, other_id):
    old = get_object_or_404(project.dataset_versions, id=other_id)
    new = get_object_or_404(project.dataset_versions, id=version_id)
    return render(
        request,
        "curation/version_diff.html",
        {"project": project, "old": old, "new": new, "diff": diff_versions(old, new)},
    )


@project_view(Action.VIEW)
@require_GET
def compare_versions(request, project, version_id):
    """The compare form on a version page: go to the diff with the chosen other version."""
    version = get_object_or_404(project.dataset_versions, id=version_id)
    other_id = request.GET.get("other", "")
    other = get_object_or_404(project.dataset_versions, id=int(other_id) if other_id.isdigit() else 0)
    return redirect("curation:version-diff", project.slug, version.id, other.id)


def _preflight_settings(project, params):
    """(base model, max length, error) from a request's parameters, with the project's base
    model and its context length as defaults."""
    models = list(project.base_models.filter(status="ready"))
    chosen = None
    wanted = params.get("base_model")
    if wanted and wanted.isdigit():
        chosen = next((m for m in models if m.id == int(wanted)), None)
    chosen = chosen or (project.base_model if project.base_model in models else (models[0] if models else None))
    if chosen is None:
        return None, 0, "Register a base model (and let its check finish) to see the pre-flight."
    context = int(chosen.info.get("context_length") or 2048)
    raw = params.get("max_length") or str(min(context, 2048))
    if not raw.isdigit() or not 16 <= int(raw) <= context:
        return (
            chosen,
            min(context, 2048),
            f"Max length must be a whole number from 16 to the model's context of {context} tokens.",
        )
    return chosen, int(raw), ""


@project_view(Action.VIEW)
def preflight(request, project, version_id):
    """GET: the latest pre-flight of this version for the chosen model and length. POST (leads):
    run a new one in the background."""
    version = get_object_or_404(project.dataset_versions, id=version_id)
    params = request.POST if request.method == "POST" else request.GET
    base_model, max_length, error = _preflight_settings(project, params)
    if request.method == "POST":
        require(project.membership, Action.MANAGE_PROJECT)
        if not error:
            job = Job.objects.create(
                project=project,
                kind=Job.Kind.PREFLIGHT,
                user=request.user,
                details={"version_id": version.id, "base_model_id": base_model.id, "max_length": max_length},
            )
            job.enqueue()
            return redirect("curation:job", project.slug, job.id)
    report = None
    if base_model and not error:
        jobs = Job.objects.filter(
            project=project,
            kind=Job.Kind.PREFLIGHT,
            status=Job.Status.SUCCEEDED,
            details__version_id=version.id,
            details__base_model_id=base_model.id,
            details__max_length=max_length,
        )
        latest = jobs.order_by("-finished_at").first()
        report = latest.details if latest else None
    peak = max((c for _, _, c in report["histogram"]), default=1) if report else 1
    chart = histogram(report["histogram"], "Token lengths", "tokens") if report else None
    return render(
        request,
        "curation/preflight.html",
        {
            "project": project,
            "version": version,
            "base_model": base_model,
            "max_length": max_length,
            "error": error,
            "report": report,
            "models": project.base_models.filter(status="ready"),
            "peak": peak,
            "chart": chart,
            "is_lead": project.membership.role == Role.LEAD,
        },
    )


@project_view(Action.VIEW)
@require_GET
def preflight_item(request, project, version_id, item_id):
    """One example as the trainer sees it: every token, with the ones that carry loss marked."""
    from curation.preflight import token_view
    from studio.core.prompts import RenderError

    version = get_object_or_404(project.dataset_versions, id=version_id)
    item = get_object_or_404(version.items, id=item_id)
    base_model, max_length, error = _preflight_settings(project, request.GET)
    tokens, rendered = [], None
    if not error:
        try:
            tokens, rendered = token_view(item, base_model, max_length)
        except RenderError as e:
            error = f"This example cannot be rendered: {e}."
    return render(
        request,
        "curation/preflight_item.html",
        {
            "project": project,
            "version": version,
            "item": item,
            "base_model": base_model,
            "max_length": max_length,
            "error": error,
            "tokens": tokens,
            "rendered": rendered,
            "trained": sum(1 for _, loss, cut in tokens if loss and not cut),
            "total": len(tokens),
            "cut": max(0, len(tokens) - max_length),
        },
    )


@project_view(Action.MANAGE_PROJECT)
def export_version(request, project, version_id):
    """POST (leads): write the version in a format, with its dataset card, in the background."""
    from django.http import HttpResponseNotAllowed

    from curation.version_export import FORMATS

    version = get_object_or_404(project.dataset_versions, id=version_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    fmt = request.POST.get("format", "")
    if fmt not in FORMATS:
        from django.contrib import messages

        messages.error(request, "Choose one of the export formats.")
        return redirect("curation:version", project.slug, version.id)
    job = Job.objects.create(
        project=project, kind=Job.Kind.EXPORT, user=request.user, details={"version_id": version.id, "format": fmt}
    )
    job.enqueue()
    return redirect("curation:job", project.slug, job.id)


@project_view(Action.MANAGE_PROJECT)
@require_GET
def download_export(request, project, version_id, job_id):
    from pathlib import Path

    from django.conf import settings
    from django.http import FileResponse, Http404

    version = get_object_or_404(project.dataset_versions, id=version_id)
    job = get_object_or_404(
        Job,
        project=project,
        kind=Job.Kind.EXPORT,
        status=Job.Status.SUCCEEDED,
        id=job_id,
        details__version_id=version.id,
    )
    path = Path(settings.MEDIA_ROOT) / job.details["path"]
    if not path.is_file():
        raise Http404("This export is no longer on disk; export the version again.")
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)


@project_view(Action.VIEW)
@require_GET
def statistics(request, project):
    from curation.stats import project_stats

    return render(
        request,
        "curation/stats.html",
        {
            "project": project,
            "stats": project_stats(project),
            "statuses": Example.Status.choices,
            "readiness": readiness_latest(project),
        },
    )


READINESS_FIELDS = (
    ("min_examples", "Examples at least"),
    ("preferred_examples", "Examples preferred"),
    ("min_class_share", "Class share at least (%)"),
    ("min_class_examples", "Examples per class at least"),
    ("max_split_gap", "Class share gap train/test at most (points)"),
    ("min_topic_train", "Training examples per topic at least"),
)


def _readiness(request, project, version=None):
    """GET: the latest readiness report (of a version, or of the approved examples a freeze would
    take). POST (leads): measure again in the background with the thresholds given."""
    from curation import readiness
    from curation.core.readiness import ReadinessRules, RulesError
    from studio.core.charts import Series, category_chart, color

    job = readiness.latest(project, version)
    report = job.details if job else None
    rules = ReadinessRules.from_dict(report["rules"]) if report else ReadinessRules()
    error = None
    if request.method == "POST":
        require(project.membership, Action.MANAGE_PROJECT)
        try:
            rules = ReadinessRules.from_dict({name: request.POST.get(name, "") for name, _ in READINESS_FIELDS})
        except RulesError as e:
            error = {"field": e.field, "text": f"{dict(READINESS_FIELDS)[e.field]}: {e.message}."}
        else:
            new = Job.objects.create(
                project=project,
                kind=Job.Kind.READINESS,
                user=request.user,
                details={"version_id": version.id if version else None, "rules": rules.as_dict()},
            )
            new.enqueue()
            return redirect("curation:job", project.slug, new.id)
    running = Job.objects.filter(
        project=project,
        kind=Job.Kind.READINESS,
        status__in=(Job.Status.QUEUED, Job.Status.RUNNING),
        details__version_id=version.id if version else None,
    ).first()
    charts = {}
    if report:
        for f in report["balance"]["fields"]:
            names = [c["value"] for c in f["classes"]]
            series = (
                [
                    Series(s, [c["by_split"].get(s, 0) for c in f["classes"]], color(n))
                    for n, s in enumerate(f["splits"])
                ]
                if f["splits"]
                else [Series("examples", [c["count"] for c in f["classes"]], "blue")]
            )
            charts[f"field:{f['field']}"] = category_chart(
                names, series, f"Examples by {f['field']}", x_title=f["field"]
            )
        turns = report["balance"].get("turns")
        if turns:
            charts["turns"] = category_chart(
                [str(n) for n, _ in turns["counts"]],
                [Series("chats", [c for _, c in turns["counts"]], "blue")],
                "Chats by assistant turns",
                y_title="chats",
                x_title="assistant turns",
            )
        for name, info in report["balance"]["lengths"]:
            charts[f"length-{name}"] = histogram(info["bins"], f"{name.capitalize()} length", "characters")
        for f in report["balance"]["fields"]:
            f["chart"] = charts[f"field:{f['field']}"]
        for name, info in report["balance"]["lengths"]:
            info["chart"] = charts[f"length-{name}"]
    changed = readiness.approved_changed_since(project, job) if (job and version is None) else None
    values = {name: getattr(rules, name) for name, _ in READINESS_FIELDS}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name, _ in READINESS_FIELDS}
    return render(
        request,
        "curation/readiness.html",
        {
            "project": project,
            "version": version,
            "job": job,
            "report": report,
            "charts": charts,
            "running": running,
            "changed": changed,
            "error": error,
            "threshold_fields": [(name, label, values[name]) for name, label in READINESS_FIELDS],
            "is_lead": project.membership.role == Role.LEAD,
        },
        status=400 if error else 200,
    )


@project_view(Action.VIEW)
def readiness(request, project):
    return _readiness(request, project)


@project_view(Action.VIEW)
def version_readiness(request, project, version_id):
    version = get_object_or_404(project.dataset_versions, id=version_id)
    return _readiness(request, project, version)


@project_view(Action.MANAGE_PROJECT)
@require_POST
def unify_phrasing(request, project):
    """One task phrased several ways, from the readiness report: every live example whose
    instruction is one of the phrasings (spacing aside) takes the one the lead chose. Each keeps
    its status and gets a revision, so the old wording stays in its history."""
    from curation.readiness import unify

    phrasings = [p for p in request.POST.getlist("phrasing") if p.strip()][:200]
    chosen = request.POST.get("to", "")
    if not chosen.strip() or chosen not in phrasings or len(phrasings) < 2:
        messages.error(request, "Choose one of the task's phrasings to keep.")
        return redirect("curation:readiness", project.slug)
    changed = unify(project, phrasings, chosen, request.user)
    messages.success(
        request,
        f"{changed} example{'s' if changed != 1 else ''} now read “{chosen[:80]}”. Measure again to see the report change.",
    )
    return redirect("curation:readiness", project.slug)
