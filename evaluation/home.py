"""Evaluation's part of a project's home page: the studies waiting for the reader's votes, and for
a lead the next step of the loop (train on the latest version, evaluate a finished run, open a
study). Connected to studio.signals.project_home in EvaluationConfig.ready."""

from django.db.models import Count, Q

from studio.models import Action


def home_context(sender, request, project, **kwargs):
    from evaluation.blinding import visible_runs
    from evaluation.models import Study

    membership = project.membership
    out = {}
    if membership.can(Action.RATE):
        out["studies_waiting"] = [
            (study, study.left)
            for study in Study.objects.filter(project=project, status=Study.Status.OPEN, raters=request.user)
            .annotate(left=Count("assignments", filter=Q(assignments__rater=request.user, assignments__vote=None)))
            .filter(left__gt=0)
            .order_by("id")
        ]
    if membership.can(Action.TRAIN):
        latest = project.dataset_versions.order_by("-created_at", "-id").first()
        runs = visible_runs(project)
        out["untrained_version"] = latest if latest and not runs.filter(dataset_version=latest).exists() else None
        finished = runs.filter(status="succeeded").order_by("-id")
        out["unevaluated_runs"] = list(finished.filter(evaluations__isnull=True)[:3])
        studied = {s.get("run_id") for study in project.studies.all() for s in study.systems}
        out["unstudied_runs"] = [
            r for r in finished.filter(evaluations__status="succeeded").distinct()[:10] if r.id not in studied
        ][:3]
    return out
