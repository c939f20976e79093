"""Blind A/B studies: leads create and close them and read the report; raters vote."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from curation import drafts
from evaluation.blinding import RULE, RULE_FOR_RATERS
from evaluation.forms import StudyForm
from evaluation.models import Assignment, Study, Vote
from evaluation.preferences import ExportRefused, export_study, study_preferences
from evaluation.studying import BASE, close, next_assignment, report, start, system_key, vote
from studio.access import project_view
from studio.models import Action
from training.forms import PreferenceRunForm


@project_view(Action.VIEW)
def study_list(request, project):
    studies = project.studies.all()
    if not project.membership.can(Action.EVALUATE):
        studies = studies.filter(raters=request.user)
    rows = [
        (
            s,
            s.assignments.filter(rater=request.user).count(),
            s.assignments.filter(rater=request.user, vote__isnull=False).count(),
        )
        for s in studies
    ]
    return render(
        request,
        "evaluation/study_list.html",
        {"project": project, "rows": rows, "can_create": project.membership.can(Action.EVALUATE)},
    )


@project_view(Action.EVALUATE)
def create_study(request, project):
    form = StudyForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        runs = list(d["runs"])
        with transaction.atomic():
            study = Study.objects.create(
                project=project,
                name=d["name"],
                dataset_version=runs[0].dataset_version,
                created_by=request.user,
                systems=[{"key": BASE, "run_id": None}] + [{"key": system_key(r), "run_id": r.id} for r in runs],
                ratings_per_item=d["ratings_per_item"],
                repeat_share=d["repeat_share"] / 100,
                max_items=d["max_items"],
            )
            study.raters.set(d["raters"])
            start(study)
        messages.success(request, f"“{study.name}” is being prepared: a worker generates every output first.")
        return redirect("evaluation:study", project.slug, study.id)
    return render(request, "evaluation/study_create.html", {"project": project, "form": form})


def system_names(study):
    from training.models import TrainingRun

    runs = dict(
        TrainingRun.objects.filter(id__in=[s["run_id"] for s in study.systems if s["run_id"]]).values_list("id", "name")
    )
    return {s["key"]: ("base model" if s["key"] == BASE else runs.get(s["run_id"], s["key"])) for s in study.systems}


@project_view(Action.VIEW)
@require_GET
def study_detail(request, project, study_id):
    """Leads always; raters once the study is closed (identities are revealed then)."""
    study = get_object_or_404(project.studies, id=study_id)
    is_lead = project.membership.can(Action.EVALUATE)
    if not is_lead and not (study.status == Study.Status.CLOSED and study.raters.filter(id=request.user.id).exists()):
        raise PermissionDenied("The report opens to raters when the lead closes the study.")
    data = report(study) if study.status in (Study.Status.OPEN, Study.Status.CLOSED) else None
    names = system_names(study)
    total = study.assignments.count()
    voted = Vote.objects.filter(assignment__study=study).count()
    losses = []
    if is_lead:  # items where a tuned model lost to the base model: candidates for more data
        lost = {}
        for a in study.assignments.filter(vote__isnull=False, repeat_of="").select_related("vote", "item"):
            winner = a.left if a.vote.choice == "left" else (a.right if a.vote.choice == "right" else None)
            loser = a.right if winner == a.left else a.left
            if winner == BASE and loser != BASE:
                lost.setdefault(a.item_id, (a.item, loser))
        losses = list(lost.values())[:50]
    context = {
        "project": project,
        "study": study,
        "report": data,
        "names": names,
        "total": total,
        "voted": voted,
        "is_lead": is_lead,
        "losses": losses,
        "blinding_rule": RULE,
        "judges": list(project.judges.all()) if is_lead else [],
        "judge_runs": list(study.judge_runs.select_related("judge")[:10]) if is_lead else [],
    }
    template = "evaluation/study.html#study-live" if request.htmx else "evaluation/study.html"
    return render(request, template, context)


@project_view(Action.EVALUATE)
@require_POST
def close_study(request, project, study_id):
    study = get_object_or_404(project.studies, id=study_id)
    close(study)
    messages.success(request, f"“{study.name}” closed; raters can now see which model wrote what.")
    return redirect("evaluation:study", project.slug, study.id)


@project_view(Action.EVALUATE)
@require_GET
def export_preferences(request, project, study_id):
    """A closed study's votes as chosen/rejected pairs for DPO: a zip with the JSONL and a card."""
    study = get_object_or_404(project.studies.select_related("project", "dataset_version", "created_by"), id=study_id)
    try:
        filename, data = export_study(study, system_names(study))
    except ExportRefused as e:
        messages.error(request, str(e))
        return redirect("evaluation:study", project.slug, study.id)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@project_view(Action.RATE)
@require_GET
def rate_next(request, project, study_id):
    study = get_object_or_404(project.studies.filter(raters=request.user), id=study_id)
    if study.status != Study.Status.OPEN:
        messages.info(request, "This study is not open for votes.")
        return redirect("evaluation:study-list", project.slug)
    nxt = next_assignment(study, request.user)
    if nxt is None:
        messages.success(request, "You have rated everything in this study. Thank you.")
        return redirect("evaluation:study-list", project.slug)
    return redirect("evaluation:rate", project.slug, nxt.token)


@project_view(Action.RATE)
def rate(request, project, token):
    """One comparison: the prompt and two outputs, nothing else. A vote is final."""
    assignment = (
        Assignment.objects.filter(token=token, rater=request.user, study__project=project)
        .select_related("study", "item")
        .first()
    )
    if assignment is None:
        raise Http404("No such comparison for you.")
    study = assignment.study
    error = ""
    if request.method == "POST":
        choice = request.POST.get("choice", "")
        rationale = request.POST.get("rationale", "").strip()
        if study.status != Study.Status.OPEN:
            error = "This study is closed."
        elif choice not in Vote.Choice.values:
            error = "Choose A, B, tie or both bad."
        elif choice == Vote.Choice.BOTH_BAD and not rationale:
            error = "Say briefly why both are bad: it helps fix the data."
        elif not vote(assignment, choice, rationale):
            error = "You voted on this one already; votes are final."
        else:
            return redirect("evaluation:rate-next", project.slug, study.id)
    outputs = dict(study.outputs.filter(item=assignment.item).values_list("system", "text"))
    mine = study.assignments.filter(rater=request.user)
    context = {
        "project": project,
        "study": study,
        "assignment": assignment,
        "item": assignment.item,
        "error": error,
        "a_text": outputs.get(assignment.left, ""),
        "b_text": outputs.get(assignment.right, ""),
        "done": mine.filter(vote__isnull=False).count(),
        "total": mine.count(),
        "voted": Vote.objects.filter(assignment=assignment).first(),
        "choices": Vote.Choice.choices,
        "blinding_rule": RULE_FOR_RATERS,
    }
    return render(request, "evaluation/rate.html", context)


@project_view(Action.EVALUATE)
@require_POST
def loss_to_curation(request, project, study_id, item_id):
    """A study item a tuned model lost becomes a draft in curation, linked to the study."""
    study = get_object_or_404(project.studies, id=study_id)
    assignment = study.assignments.filter(item_id=item_id).select_related("item").first()
    if assignment is None:
        raise Http404("No such item in this study.")
    item = assignment.item
    source = f"study {study.id} “{study.name}”, test example #{item.example_id or item.id}"
    # the answer of the model that lost (named by the report's list), else the first tuned one
    outputs = study.outputs.filter(item=item).exclude(system="base")
    tuned = outputs.filter(system=request.POST.get("system", "")).first() or outputs.order_by("system").first()
    if tuned is None:
        example, created = drafts.draft_once(project, request.user, item.record(), source=source, action="from a study")
    else:
        run_ids = {s["key"]: s["run_id"] for s in study.systems}
        example, created = drafts.correction_once(
            project,
            request.user,
            item.record(),
            tuned.text,
            who=f"the tuned model ({tuned.system})",
            source=source,
            action="from a study",
            origin_run_id=run_ids.get(tuned.system),
        )
    if created:
        messages.success(
            request,
            f"Draft #{example.id} created from the study"
            + (": it holds the tuned model's answer, the reference beside it; correct it." if tuned else "."),
        )
    else:
        messages.info(request, f"Already in curation as #{example.id}.")
    return redirect("curation:example", project.slug, example.id)


def _adapter_runs(study):
    """The study's tuned runs that a preference run can continue: finished, with a LoRA adapter."""
    from training.models import TrainingRun
    from training.runs import has_adapter

    runs = TrainingRun.objects.filter(
        id__in=[s["run_id"] for s in study.systems if s["run_id"]], status=TrainingRun.Status.SUCCEEDED
    ).select_related("base_model", "dataset_version")
    return [r for r in runs if has_adapter(r)]


@project_view(Action.TRAIN)
def train_on_votes(request, project, study_id):
    """A DPO run from a closed study's votes, on top of one of the runs it compared."""
    from training.core.engine import ConfigError
    from training.runs import launch_preferences

    study = get_object_or_404(project.studies, id=study_id)
    refused = ""
    prefs = None
    try:
        prefs, _votes, _base, _chat = study_preferences(study)
    except ExportRefused as e:
        refused = str(e)
    runs = _adapter_runs(study)
    if not refused and not runs:
        refused = (
            f"None of the runs “{study.name}” compared has a LoRA adapter to continue (full fine-tunes have none)."
        )
    form = PreferenceRunForm(
        request.POST or None,
        runs=runs,
        initial={"name": f"{runs[0].name}-dpo" if runs else "dpo", "parent": str(_favoured(study, runs))},
    )
    if request.method == "POST" and not refused and form.is_valid():
        d = form.cleaned_data
        lineage = {
            "study_id": study.id,
            "study_name": study.name,
            "counts": prefs.counts,
            "item_ids": sorted({d.item for d in prefs.decisions}),  # left out of its evaluations and studies
        }
        try:
            run = launch_preferences(
                project,
                request.user,
                name=d["name"],
                parent=d["parent"],
                rows=prefs.rows,
                config_values=form.config_values(),
                lineage=lineage,
            )
        except ConfigError as e:
            form.add_error(None, str(e))
        else:
            messages.success(
                request, f"{run.name} queued: DPO on {len(prefs.rows)} preference pairs from “{study.name}”."
            )
            return redirect("training:run", project.slug, run.id)
    context = {
        "project": project,
        "study": study,
        "form": form,
        "refused": refused,
        "prefs": prefs,
        "names": system_names(study),
    }
    return render(request, "evaluation/train_on_votes.html", context)


def _favoured(study, runs):
    """The run the study's votes put highest (else the first): the natural one to continue."""
    if not runs:
        return ""
    data = report(study) if study.status != Study.Status.PREPARING else None
    ranked = [row["system"] for row in (data or {}).get("leaderboard", []) if row.get("rating") is not None]
    keys = {system_key(r): r.id for r in runs}
    return next((keys[k] for k in ranked if k in keys), runs[0].id)
