"""The model registry page: every tuned model of a project with its lineage and its serving
recipe; leads give the models version names."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from evaluation import registry
from evaluation.blinding import visible_runs
from studio.access import project_view
from studio.models import Action
from training.models import TrainingRun


def _context(request, project, entries):
    """The page's context; which study reports this member may open is decided here, as the
    study page decides it (leads always, raters of a closed study)."""
    from evaluation.core.metrics import GATE_METRICS
    from evaluation.models import SuccessGate

    is_lead = project.membership.can(Action.EVALUATE)
    rated = set() if is_lead else set(project.studies.filter(raters=request.user).values_list("id", flat=True))
    gate = SuccessGate.objects.filter(project=project).first()
    for entry in entries:
        for result in entry.studies:
            result.link = is_lead or result.study.id in rated
        entry.gate = gate.result(entry.evaluation) if gate and entry.evaluation else None
    return {
        "project": project,
        "entries": entries,
        "gate": gate,
        "gate_metrics": GATE_METRICS.items(),
        "can_rename": project.membership.can(Action.TRAIN),
        "can_manage": project.membership.can(Action.MANAGE_PROJECT),
    }


@project_view(Action.EVALUATE)
@require_POST
def success_gate(request, project):
    """Set (or, with an empty gain, remove) what a tuned model must reach to pass."""
    from evaluation.core.metrics import GATE_METRICS
    from evaluation.models import SuccessGate

    metric = request.POST.get("metric", "")
    raw_gain, raw_json = request.POST.get("min_gain", "").strip(), request.POST.get("min_json_valid", "").strip()
    url = reverse("evaluation:registry", args=[project.slug]) + "#gate"
    if not raw_gain:
        SuccessGate.objects.filter(project=project).delete()
        messages.success(request, "No success gate: models are shown without pass or fail.")
        return redirect(url)
    try:
        gain, json_valid = float(raw_gain), float(raw_json or 0)
    except ValueError:
        messages.error(request, "The gain and the JSON share must be numbers (percent).")
        return redirect(url)
    if metric not in GATE_METRICS or not -100 < gain <= 1000 or not 0 <= json_valid <= 100:
        messages.error(request, "Choose a metric, a gain above -100%, and a JSON share from 0 to 100%.")
        return redirect(url)
    SuccessGate.objects.update_or_create(
        project=project,
        defaults={"metric": metric, "min_gain": gain, "min_json_valid": json_valid, "updated_by": request.user},
    )
    messages.success(request, "Success gate saved: every evaluated model shows whether it passes.")
    return redirect(url)


@project_view(Action.VIEW)
@require_GET
def model_registry(request, project):
    return render(
        request,
        "evaluation/registry.html",
        _context(request, project, registry.entries(project, visible_runs(project))),
    )


@project_view(Action.TRAIN)
@require_POST
def rename_model(request, project, run_id):
    """Set or clear a model's version name. htmx gets the model's card back (with the error, if
    any); a plain form post goes back to the registry."""
    run = get_object_or_404(visible_runs(project).filter(status=TrainingRun.Status.SUCCEEDED), id=run_id)
    typed = request.POST.get("version_name", "")
    try:
        registry.rename(run, typed)
        error = ""
    except registry.VersionNameError as e:
        error = str(e)
    if not error and not request.htmx:
        messages.success(request, f"{registry.model_id(run)} is now called “{registry.display_name(run)}”.")
        return redirect(reverse("evaluation:registry", args=[project.slug]) + f"#model-{run.id}")
    entries = registry.entries(
        project, visible_runs(project).filter(id=run.id) if request.htmx else visible_runs(project)
    )
    for entry in entries:
        if entry.run.id == run.id:
            entry.rename_error, entry.rename_value, entry.renamed = error, (typed if error else None), not error
            target = entry
    context = _context(request, project, entries)
    if request.htmx:
        return render(request, "evaluation/registry.html#model-card", {**context, "m": target})
    return render(request, "evaluation/registry.html", context)


@project_view(Action.TRAIN)
@require_POST
def serve_again(request, project, run_id):
    """Undo DELETE /v1/models/{id}: the model is listed and answered by the API again."""
    run = get_object_or_404(visible_runs(project).filter(status=TrainingRun.Status.SUCCEEDED), id=run_id)
    TrainingRun.objects.filter(id=run.id).update(model_deleted_at=None)
    messages.success(
        request, f"{registry.model_id(run)} is served again: GET /v1/models lists it and completions may name it."
    )
    return redirect(reverse("evaluation:registry", args=[project.slug]) + f"#model-{run.id}")
