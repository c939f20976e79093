"""Synthetic drafts: the lead picks a recipe and a served model; the drafts wait in review."""

from django.shortcuts import get_object_or_404, redirect, render

from curation.listing import Filters
from curation.models import Example
from evaluation import synthesis
from evaluation.forms import SynthesisForm
from evaluation.models import SynthesisJob
from studio.access import project_view
from studio.models import Action


@project_view(Action.MANAGE_PROJECT, doing="generate synthetic drafts")
def synthesis_page(request, project):
    form = SynthesisForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        params = {"max_new_tokens": d["max_new_tokens"]}
        if d["recipe"] == SynthesisJob.Recipe.ANSWER:
            params.update(instruction=d["instruction"].strip(), inputs=d["inputs"])
        else:
            approved = Filters(status=Example.Status.APPROVED, q=d["source"]).apply(project)
            if d["recipe"] == SynthesisJob.Recipe.PARAPHRASE:
                approved = approved.filter(messages__isnull=True)
            ids = list(approved.order_by("-id").values_list("id", flat=True)[: d["limit"]])
            if not ids:
                form.add_error("source", "No approved example matches: there is nothing to start from.")
            params.update(example_ids=ids, count=d["count"], vary=d["vary"])
        if form.is_valid():
            job = synthesis.start(project, request.user, d["recipe"], d["model"], params)
            return redirect("evaluation:synthesis-job", project.slug, job.id)
    jobs = project.synthesis_jobs.select_related("created_by")[:20]
    return render(request, "evaluation/synthesis.html", {"project": project, "form": form, "jobs": jobs})


@project_view(Action.MANAGE_PROJECT, doing="generate synthetic drafts")
def synthesis_job(request, project, job_id):
    job = get_object_or_404(project.synthesis_jobs, id=job_id)
    drafts = Example.objects.filter(project=project, synthetic__job=job.id)
    context = {
        "project": project,
        "job": job,
        "made": drafts.count(),
        "approved": drafts.filter(status=Example.Status.APPROVED).count(),
        "unusable": job.params.get("unusable", [])[:10],
    }
    template = "evaluation/synthesis_job.html#synthesis-live" if request.htmx else "evaluation/synthesis_job.html"
    return render(request, template, context)
