"""What a request may see and act in: the user's memberships, narrowed to the project the
OpenAI-Project header names; the project a request acts in; the tuned models it may use; the
number in an id such as run-12."""

import re

from api.errors import ApiError
from studio.models import Action, Membership, Project
from studio.signals import hidden_run_ids


def object_id(value, prefix):
    """The number in an id such as run-12 (ASCII digits only, as a database id can hold), or None."""
    match = re.fullmatch(rf"{prefix}-([0-9]{{1,18}})", value) if isinstance(value, str) else None
    return int(match.group(1)) if match else None


def memberships(request):
    """The requester's memberships, narrowed to the project the OpenAI-Project header names; read
    once a request (a membership's project is read when a refusal names it)."""
    found = getattr(request, "_memberships", None)
    if found is None:
        # no ORDER BY: the model's ordering joins auth_user, for nothing on this path
        query = Membership.objects.filter(user=request.user).only("id", "project_id", "user_id", "role").order_by()
        slug = request.headers.get("OpenAI-Project", "").strip()
        found = request._memberships = list(query.filter(project__slug=slug) if slug else query)
    return found


def project_ids(request):
    return [m.project_id for m in memberships(request)]


def acting_project(request, action):
    """The project a request is about: the OpenAI-Project header (the openai client's `project`
    option) naming a project slug, or the user's only project where the role allows `action`."""
    slug = request.headers.get("OpenAI-Project", "").strip()
    found = Membership.objects.filter(user=request.user).select_related("project", "project__base_model")
    if slug:
        membership = found.filter(project__slug=slug).first()
        if membership is None:
            raise ApiError(f"No project {slug!r} of yours.", param="OpenAI-Project", status=404)
    else:
        allowed = [m for m in found if m.can(action)]
        if len(allowed) != 1:
            raise ApiError(
                "Name the project in the OpenAI-Project header (the openai client's project= option): "
                "you are in several.",
                param="OpenAI-Project",
            )
        membership = allowed[0]
    if not membership.can(action):
        raise ApiError(f"Your role in {membership.project.slug} may not {Action(action).label}.", status=403)
    project = membership.project
    project.membership = membership
    assert isinstance(project, Project)
    return project


def owned(request, objects, number, action, missing):
    """The object of `objects` whose id is `number`, in one of the requester's projects. Anything
    else (no such id, another project, a bad id given as None) raises `missing` (a 404 ApiError
    naming what was asked for), so an outsider learns nothing; 403 when the requester's role in
    the object's project may not do `action` (None: seeing it is enough)."""
    mine = {m.project_id: m for m in memberships(request)}
    found = objects.filter(id=number, project_id__in=list(mine)).first() if number is not None else None
    if found is None:
        raise missing
    membership = mine[found.project_id]
    if action and not membership.can(action):
        raise ApiError(f"Your role in {membership.project.slug} may not {Action(action).label}.", status=403)
    return found


def hidden_runs(request):
    """The ids of the runs the requester may not see in any of their projects (a blind study they
    rate is open: evaluation/blinding.py); the API treats them as missing. Asked once a request."""
    hidden = getattr(request, "_hidden_runs", None)
    if hidden is None:
        hidden = request._hidden_runs = frozenset().union(*(hidden_run_ids(m) for m in memberships(request)))
    return hidden


def visible_runs(request):
    from training.models import TrainingRun

    return (
        TrainingRun.objects.filter(
            project_id__in=project_ids(request), status=TrainingRun.Status.SUCCEEDED, model_deleted_at=None
        )
        .exclude(id__in=hidden_runs(request))
        .select_related("project__serving_backend", "base_model")  # all that serving reads, in one query
        .defer("log_tail", "summary", "config")  # what serving needs is small; a run's log is not
    )


def served_run(request, model):
    """The served run a `model` names: its id (run-12) or its version name in the registry."""
    from training.models import TrainingRun

    number = object_id(model, "run")
    runs = visible_runs(request)
    run = (
        runs.filter(id=number).first()
        if number is not None
        else runs.filter(version_name__iexact=model).exclude(version_name="").first()
    )
    if run is None and re.fullmatch(r"run-[0-9]+:ckpt-step-[0-9]+", model):
        raise ApiError(
            f"{model!r} is an intermediate checkpoint: GET /v1/fine_tuning/jobs/<job>/checkpoints lists those, "
            f"but only a job's final model ({model.split(':')[0]}) is served.",
            param="model",
            status=404,
        )
    if run is None:
        deleted = (
            TrainingRun.objects.filter(project_id__in=project_ids(request), model_deleted_at__isnull=False)
            .exclude(id__in=hidden_runs(request))
            .filter(id=number if number is not None else -1)
            .first()
        )
        if deleted:
            raise ApiError(
                f"The model {model!r} was deleted through the API on {deleted.model_deleted_at:%d %b %Y}; "
                "a lead can serve it again from the Models page.",
                param="model",
                status=404,
            )
        yours = ", ".join(f"run-{i}" for i in runs.values_list("id", flat=True)[:10]) or "none yet"
        raise ApiError(
            f"Unknown model {model!r}: use an id from GET /v1/models (yours: {yours}).", param="model", status=404
        )
    return run
