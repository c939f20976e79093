"""Judges: the lead configures them, runs them on a study, and reads how they agree with the
experts (evaluation/judging.py). Leads only (the evaluate right): a judge's verdicts name the
systems, which a rater of an open study may not see."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from evaluation import judging
from evaluation.blinding import visible_evaluations
from evaluation.forms import JudgeForm
from evaluation.models import Judge, JudgeRun, Study
from evaluation.study_views import system_names
from studio.access import project_view
from studio.models import Action


@project_view(Action.EVALUATE)
def judge_list(request, project):
    """The project's judges, and a form for a new one."""
    form = JudgeForm(request.POST or None, project=project, instance=Judge(project=project))
    if request.method == "POST" and form.is_valid():
        judge = form.save(commit=False)
        judge.created_by = request.user
        judge.save()
        messages.success(request, f"Judge “{judge.name}” saved. Run it on a study from the study's page.")
        return redirect("evaluation:judges", project.slug)
    judges = project.judges.all()
    runs = {}
    for run in (
        JudgeRun.objects.filter(judge__project=project)
        .select_related("study", "evaluation__training_run")
        .order_by("-created_at")
    ):
        runs.setdefault(run.judge_id, []).append(run)
    for judge in judges:
        judge.recent = runs.get(judge.id, [])[:5]
    return render(request, "evaluation/judges.html", {"project": project, "judges": judges, "form": form})


@project_view(Action.EVALUATE)
def judge_edit(request, project, judge_id):
    judge = get_object_or_404(project.judges, id=judge_id)
    form = JudgeForm(request.POST or None, project=project, instance=judge)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Judge “{judge.name}” saved; runs from now on use these settings.")
        return redirect("evaluation:judges", project.slug)
    return render(request, "evaluation/judge_edit.html", {"project": project, "judge": judge, "form": form})


@project_view(Action.EVALUATE)
@require_POST
def run_judge(request, project, study_id):
    """Queue a judge on a study's outputs (open or closed: the judge is blind to the systems)."""
    study = get_object_or_404(project.studies, id=study_id)
    judge = project.judges.filter(id=request.POST.get("judge") or 0).first()
    if judge is None:
        messages.error(request, "Pick one of the project's judges (configure them on the Judges page).")
        return redirect("evaluation:study", project.slug, study.id)
    if study.status == Study.Status.PREPARING:
        messages.error(request, "The study's outputs are still being generated; run the judge once it is open.")
        return redirect("evaluation:study", project.slug, study.id)
    run = judging.start(judge, study, request.user)
    return redirect("evaluation:judge-run", project.slug, study.id, run.id)


@project_view(Action.EVALUATE)
def judge_run(request, project, study_id, run_id):
    """A judge's run on a study: progress, then the calibration against the experts' votes."""
    study = get_object_or_404(project.studies, id=study_id)
    run = get_object_or_404(study.judge_runs.select_related("judge"), id=run_id)
    report = judging.calibration(run) if run.status == JudgeRun.Status.SUCCEEDED else None
    unreadable = list(run.verdicts.filter(choice="").values_list("raw", flat=True)[:3]) if report else []
    context = {
        "project": project,
        "study": study,
        "run": run,
        "report": report,
        "names": system_names(study),
        "unreadable": unreadable,
        "labels": (("a", "first wins"), ("b", "second wins"), ("tie", "tie")),
    }
    template = "evaluation/judge_run.html#judge-live" if request.htmx else "evaluation/judge_run.html"
    return render(request, template, context)


@project_view(Action.EVALUATE)
@require_POST
def judge_evaluation(request, project, evaluation_id):
    """A trusted judge on every test item of an evaluation (base against tuned)."""
    ev = get_object_or_404(visible_evaluations(project), id=evaluation_id)
    judge = project.judges.filter(id=request.POST.get("judge") or 0).first()
    if judge is None:
        messages.error(request, "Pick one of the project's judges (configure them on the Judges page).")
        return redirect("evaluation:evaluation", project.slug, ev.id)
    if ev.status != ev.Status.SUCCEEDED:
        messages.error(request, "The evaluation has not finished; judge it once its answers are all there.")
        return redirect("evaluation:evaluation", project.slug, ev.id)
    calibrated, report = judging.trust(judge)
    if report is None or not report["trusted"]:
        why = (
            f"its latest calibration, on “{calibrated.study.name}”: {report['trust_reason']}"
            if report
            else "it has not been run, with its present settings, on a blind study your experts rated"
        )
        messages.error(request, f"“{judge.name}” has not earned trust yet ({why}). Calibrate it on a study first.")
        return redirect("evaluation:evaluation", project.slug, ev.id)
    run = judging.start(judge, None, request.user, evaluation=ev)
    return redirect("evaluation:evaluation-judge-run", project.slug, ev.id, run.id)


@project_view(Action.EVALUATE)
def evaluation_judge_run(request, project, evaluation_id, run_id):
    """A trusted judge's verdicts on every test item of an evaluation."""
    ev = get_object_or_404(visible_evaluations(project).select_related("training_run"), id=evaluation_id)
    run = get_object_or_404(ev.judge_runs.select_related("judge"), id=run_id)
    report = judging.scaled_report(run) if run.status == JudgeRun.Status.SUCCEEDED else None
    names = {"base": "base model", f"run-{ev.training_run_id}": ev.training_run.name}
    context = {"project": project, "ev": ev, "run": run, "report": report, "names": names}
    template = "evaluation/judge_evaluation.html#judge-live" if request.htmx else "evaluation/judge_evaluation.html"
    return render(request, template, context)
