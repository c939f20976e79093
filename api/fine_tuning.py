"""/v1/fine_tuning/jobs: LoRA training runs started from an uploaded file (its rows become
approved examples, frozen into a version of their own) or from a frozen dataset version, in
OpenAI's job shapes; their events and their cancelling."""

import re
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Literal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from ninja import Path, Router, Schema
from pydantic import Field

from api.bodies import RequestBody
from api.errors import ApiError
from api.files import ProjectHeader
from api.models import ApiFile, ApiJob
from api.openapi import CREATED, EXAMPLE_FILE, EXAMPLE_JOB, EXAMPLE_MODEL, EXAMPLE_PROJECT, documented
from api.pagination import After, limit_param, page
from api.scope import acting_project, hidden_runs, object_id, owned, project_ids
from studio.models import Action
from training.models import TrainingRun

router = Router(tags=["Fine-tuning"])
MAX_SEED = 2**63 - 1
DEFAULT_LEARNING_RATE = 2e-4

JobId = Path[str, {"description": "A job id from GET /v1/fine_tuning/jobs.", "example": EXAMPLE_JOB}]
Auto = Literal["auto"]


class Hyperparameters(RequestBody):
    n_epochs: Auto | Annotated[float, Field(gt=0, le=100)] | None = Field(
        None, description="Epochs, above 0 and at most 100."
    )
    batch_size: Auto | Annotated[int, Field(ge=1, le=1024)] | None = Field(None, description="Rows a step, 1 to 1024.")
    learning_rate_multiplier: Auto | Annotated[float, Field(gt=0, lt=5000)] | None = Field(
        None, description="Times the default learning rate of 2e-4; the result must be below 1."
    )


class SupervisedMethod(RequestBody):
    hyperparameters: Hyperparameters | None = None


class Method(RequestBody):
    type: Literal["supervised"] = Field(description="Only supervised fine-tuning (LoRA) is offered.")
    supervised: SupervisedMethod | None = None


Metadata = Annotated[
    dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=512)]], Field(max_length=16)
]


class FineTuningJobRequest(RequestBody):
    """Give training_file or dataset_version."""

    model: str | None = Field(
        None,
        description="A ready base model of the project by name (or `base`); the project's base model when left out.",
    )
    training_file: str | None = Field(
        None, description="An uploaded file's id (file-3) in this project.", examples=[EXAMPLE_FILE]
    )
    dataset_version: str | None = Field(
        None,
        description="The name of a frozen dataset version of this project, used when there is no training_file.",
        examples=["v1"],
    )
    validation_file: str | None = Field(
        None,
        description="An uploaded file's id in this project, kept with the job (the run validates on the 10% "
        "held out of its training data).",
    )
    hyperparameters: Hyperparameters | None = Field(None, description="The older place of method's hyperparameters.")
    method: Method | None = None
    metadata: Metadata | None = Field(None, description="Up to 16 keys and values of your own, kept with the job.")
    suffix: str | None = Field(None, max_length=120, description="Names the run.")
    seed: Annotated[int, Field(ge=0, le=MAX_SEED)] | None = Field(None, description="Seeds the split and the training.")


class JobHyperparameters(Schema):
    n_epochs: float | None
    batch_size: int | None
    learning_rate_multiplier: float


class JobError(Schema):
    message: str
    code: Literal["training_failed"]
    param: None


class FineTuningJob(Schema):
    id: str = Field(pattern="^ftjob-[0-9]+$")
    object: Literal["fine_tuning.job"]
    model: str = Field(description="The base model's name.")
    created_at: int
    finished_at: int | None
    fine_tuned_model: str | None = Field(description="The model id (run-12) once the job has succeeded.")
    organization_id: str = Field(description="The project's slug.")
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    training_file: str | None
    validation_file: str | None
    hyperparameters: JobHyperparameters
    trained_tokens: int | None = Field(description="Tokens trained on (epochs times the training set), once done.")
    result_files: list[str] = Field(description="Once succeeded: a file (CSV) of the step metrics.")
    seed: int
    error: JobError | None
    metadata: dict[str, str] | None


class FineTuningJobList(Schema):
    object: Literal["list"]
    data: list[FineTuningJob]
    has_more: bool


class EventData(Schema):
    step: int | None = None
    train_loss: float | None = None
    valid_loss: float | None = None


class FineTuningEvent(Schema):
    id: str
    object: Literal["fine_tuning.job.event"]
    created_at: int
    level: Literal["info", "error"]
    message: str
    type: Literal["message", "metrics"]
    data: EventData


class FineTuningEventList(Schema):
    object: Literal["list"]
    data: list[FineTuningEvent]
    has_more: bool


class CheckpointMetrics(Schema):
    step: int
    train_loss: float | None
    valid_loss: float | None


class FineTuningCheckpoint(Schema):
    id: str = Field(pattern="^ftckpt-[0-9]+-[0-9]+$")
    object: Literal["fine_tuning.job.checkpoint"]
    created_at: int
    fine_tuned_model_checkpoint: str = Field(description="The model id the checkpoint is served as.")
    fine_tuning_job_id: str
    step_number: int
    metrics: CheckpointMetrics


class FineTuningCheckpointList(Schema):
    object: Literal["list"]
    data: list[FineTuningCheckpoint]
    has_more: bool
    first_id: str | None
    last_id: str | None


JobLimit = limit_param(20, 100)


JOB_EXAMPLE = {
    "id": EXAMPLE_JOB,
    "object": "fine_tuning.job",
    "model": "Tiny",
    "created_at": CREATED,
    "finished_at": None,
    "fine_tuned_model": None,
    "organization_id": EXAMPLE_PROJECT,
    "status": "queued",
    "training_file": EXAMPLE_FILE,
    "validation_file": None,
    "hyperparameters": {"n_epochs": 3, "batch_size": 8, "learning_rate_multiplier": 1.0},
    "trained_tokens": None,
    "result_files": [],
    "seed": 0,
    "error": None,
    "metadata": {"team": "support"},
}


def job_object(run):
    extra = ApiJob.objects.filter(run=run).first()
    succeeded = run.status == run.Status.SUCCEEDED
    if succeeded:
        extra = with_result_file(run)
    return {
        "id": f"ftjob-{run.id}",
        "object": "fine_tuning.job",
        "model": run.base_model.name,
        "created_at": int(run.created_at.timestamp()),
        "finished_at": int(run.finished_at.timestamp()) if run.finished_at else None,
        "fine_tuned_model": f"run-{run.id}" if run.status == run.Status.SUCCEEDED else None,
        "organization_id": run.project.slug,
        "status": run.status,
        "training_file": run.training_file or None,
        "validation_file": (extra.validation_file or None) if extra else None,
        "hyperparameters": {
            "n_epochs": run.config.get("epochs"),
            "batch_size": run.config.get("batch_size"),
            "learning_rate_multiplier": (run.config.get("learning_rate") or DEFAULT_LEARNING_RATE)
            / DEFAULT_LEARNING_RATE,
        },
        "trained_tokens": run.summary.get("trained_tokens") if succeeded else None,
        "result_files": [f"file-{extra.result_file_id}"] if succeeded and extra.result_file_id else [],
        "seed": run.config.get("seed", 0),
        "error": {"message": run.error, "code": "training_failed", "param": None} if run.error else None,
        "metadata": (extra.metadata or None) if extra else None,
    }


def with_result_file(run):
    """The run's ApiJob with its result file: the step metrics as CSV, as OpenAI's result file,
    made the first time the succeeded job is shown (a run from the browser gets one too)."""
    import csv
    import io

    with transaction.atomic():
        extra, _ = ApiJob.objects.select_for_update().get_or_create(run=run)
        if extra.result_file_id is None:
            out = io.StringIO()
            writer = csv.writer(out)
            writer.writerow(["step", "train_loss", "valid_loss", "learning_rate", "epoch"])
            for p in run.points.order_by("step", "id"):
                writer.writerow([p.step, p.loss, p.eval_loss, p.learning_rate, p.epoch])
            data = out.getvalue().encode()
            extra.result_file = ApiFile.objects.create(
                project=run.project,
                user=run.created_by,
                filename=f"step_metrics_ftjob-{run.id}.csv",
                purpose="fine-tune-results",
                size=len(data),
                content=data,
                rows=run.points.count(),
            )
            extra.save(update_fields=["result_file"])
    return extra


def job_for(request, job_id, action=Action.VIEW):
    """The job an id names in the requester's projects (404 otherwise); 403 when the role there
    may not do `action`."""
    runs = TrainingRun.objects.exclude(id__in=hidden_runs(request)).select_related("project", "base_model")
    missing = ApiError(f"The fine-tuning job {job_id!r} does not exist or is not yours to see.", status=404)
    return owned(request, runs, object_id(job_id, "ftjob"), action, missing)


@router.get(
    "/fine_tuning/jobs",
    response=FineTuningJobList,
    operation_id="listFineTuningJobs",
    summary="List fine-tuning jobs",
    description="The training runs of your projects, newest first, a page of `limit` at a time; `after` is the "
    "last id of the page before. `metadata[key]=value` keeps the jobs created with that metadata.",
    url_name="jobs",
    openapi_extra=documented(
        {"object": "list", "data": [JOB_EXAMPLE], "has_more": False},
        "The jobs.",
        errors=(400, 401, 429),
        python="for job in client.fine_tuning.jobs.list():\n    print(job.id, job.status, job.fine_tuned_model)",
    ),
)
def list_jobs(request, limit: JobLimit = 20, after: After = None):
    runs = (
        TrainingRun.objects.filter(project_id__in=project_ids(request))
        .exclude(id__in=hidden_runs(request))
        .select_related("project", "base_model")
    )
    wanted = {
        named.group(1): value
        for key, value in request.GET.items()  # the client sends metadata={"team": "x"} as metadata[team]=x
        if (named := re.fullmatch(r"metadata\[(.+)\]", key))
    }
    if wanted:  # compared here, not in SQL: SQLite has no JSON containment
        jobs = ApiJob.objects.filter(run__project_id__in=project_ids(request)).exclude(metadata={})
        runs = runs.filter(id__in=[j.run_id for j in jobs if wanted.items() <= j.metadata.items()])
    found, has_more = page(runs, limit, after, "ftjob")
    return {"object": "list", "data": [job_object(r) for r in found], "has_more": has_more}


@router.post(
    "/fine_tuning/jobs",
    response=FineTuningJob,
    operation_id="createFineTuningJob",
    summary="Start a fine-tuning job",
    description=(
        "Leads only. From `training_file` (an uploaded file: its rows become approved examples, frozen into a "
        "version of their own with a 90/10 train/validation split) or from `dataset_version` (the name of a frozen "
        "version). The job is a LoRA training run of the project's base model, queued for a GPU worker."
    ),
    openapi_extra=documented(
        JOB_EXAMPLE,
        "The queued job.",
        errors=(400, 401, 403, 404, 413, 429),
        request={
            "model": "Tiny",
            "training_file": EXAMPLE_FILE,
            "hyperparameters": {"n_epochs": 3, "batch_size": 8, "learning_rate_multiplier": 1.0},
            "suffix": "support-v2",
            "seed": 0,
        },
        python=(
            "job = client.fine_tuning.jobs.create(\n"
            '    model="Tiny",\n'
            f'    training_file="{EXAMPLE_FILE}",\n'
            '    hyperparameters={"n_epochs": 3, "batch_size": 8},\n'
            '    suffix="support-v2",\n'
            ")\n"
            '# or from a frozen dataset version: extra_body={"dataset_version": "v1"}\n'
            "print(job.id, job.status)"
        ),
    ),
)
def create_job(request, body: FineTuningJobRequest, openai_project: ProjectHeader = None):
    """A job from an uploaded file (its rows become approved examples frozen into their own
    version) or from an existing dataset version; hyperparameters in OpenAI's names."""
    from training.core.engine import ConfigError
    from training.runs import launch

    project = acting_project(request, Action.TRAIN)
    base_model = project.base_model
    if body.model and (base_model is None or body.model not in (base_model.name, "base")):
        base_model = project.base_models.filter(name=body.model, status="ready").first()
    if base_model is None or base_model.status != "ready":
        raise ApiError(
            f"No ready base model {body.model!r} in {project.slug}; use one from its Base models page.", param="model"
        )
    config = {"early_stopping_patience": 0}
    supervised = body.method.supervised if body.method else None
    hp = (supervised and supervised.hyperparameters) or body.hyperparameters or Hyperparameters()
    for value, key in ((hp.n_epochs, "epochs"), (hp.batch_size, "batch_size"), (hp.learning_rate_multiplier, None)):
        if value not in (None, "auto"):
            config[key or "learning_rate"] = value if key else DEFAULT_LEARNING_RATE * value
    if body.seed is not None:
        config["seed"] = body.seed
    if body.training_file:
        number = object_id(body.training_file, "file")
        if number is None:
            raise ApiError(f"Unknown file {body.training_file!r}.", param="training_file", status=404)
        with transaction.atomic():
            f = ApiFile.objects.select_for_update().filter(id=number, project=project).first()
            if f is None:
                raise ApiError(
                    f"The file {body.training_file!r} is not in {project.slug}.", param="training_file", status=404
                )
            version = f.dataset_version or freeze_file(request, project, f, body.training_file, body.suffix, config)
    elif body.dataset_version:
        version = project.dataset_versions.filter(name=body.dataset_version).first()
        if version is None:
            raise ApiError(
                f"No dataset version {body.dataset_version!r} in {project.slug}.", param="dataset_version", status=404
            )
    else:
        raise ApiError(
            "Give training_file (an uploaded file id) or dataset_version (a frozen version's name).",
            param="training_file",
        )
    if body.validation_file and not project.api_files.filter(id=object_id(body.validation_file, "file") or 0).exists():
        raise ApiError(
            f"The file {body.validation_file!r} is not in {project.slug}.", param="validation_file", status=404
        )
    try:
        run = launch(
            project,
            request.user,
            name=body.suffix or f"API job on {version.name}"[:120],
            version=version,
            base_model=base_model,
            config_values=config,
        )
    except ConfigError as e:
        raise ApiError(str(e), param="hyperparameters") from None
    if body.training_file:
        TrainingRun.objects.filter(id=run.id).update(training_file=body.training_file)
    ApiJob.objects.create(run=run, validation_file=body.validation_file or "", metadata=body.metadata or {})
    run.refresh_from_db()
    return job_object(run)


def freeze_file(request, project, f, file_id, suffix, config):
    """A file's rows as approved examples, frozen into a version of their own (once per file:
    later jobs from the same file train on the same version)."""
    from curation.core.splits import SplitConfig
    from curation.models import Example, Job, Revision
    from curation.versions import FreezeRefused, freeze
    from studio.core.formats import read_rows

    rows, _ = read_rows(bytes(f.content), f.filename, max_bytes=None)
    created = Example.objects.bulk_create(
        [
            Example(
                project=project,
                author=request.user,
                status=Example.Status.APPROVED,
                reviewer=request.user,
                source=f"API file {file_id} line {r.line}"[:200],
                instruction=r.record.instruction,
                input=r.record.input,
                output=r.record.output,
                messages=[dict(m) for m in r.record.messages] or None,
                rejected=r.record.rejected,
            )
            for r in rows
        ]
    )
    Revision.objects.bulk_create([Revision.of(e, request.user, "approved through the API") for e in created])
    name = f"{file_id} ({suffix or 'api'})"[:120]
    if project.dataset_versions.filter(name=name).exists():
        name = f"{file_id} ({suffix or 'api'}, {timezone.now():%Y-%m-%d %H:%M:%S})"[:120]
    try:
        version = freeze(
            project,
            request.user,
            name=name,
            note=f"Frozen from {f.filename} by the API.",
            config=SplitConfig(ratios=(0.9, 0.1, 0.0), seed=config.get("seed", 0)),
            findings_override="Uploaded through the API; findings are in the file object.",
            leakage_override="Uploaded through the API.",
            examples=Example.objects.filter(id__in=[e.id for e in created]),
        )
    except FreezeRefused as e:
        raise ApiError(str(e), param="training_file") from None
    ApiFile.objects.filter(id=f.id).update(dataset_version=version)
    # the new examples' checks against the rest of the project run as a scan job, not in this request
    if not Job.objects.filter(
        project=project, kind=Job.Kind.SCAN, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
    ).exists():
        job = Job.objects.create(project=project, kind=Job.Kind.SCAN, user=request.user)
        job.enqueue()
    return version


@router.get(
    "/fine_tuning/jobs/{job_id}",
    response=FineTuningJob,
    operation_id="retrieveFineTuningJob",
    summary="Retrieve a fine-tuning job",
    url_name="job",
    openapi_extra=documented(
        {**JOB_EXAMPLE, "status": "succeeded", "finished_at": CREATED + 900, "fine_tuned_model": EXAMPLE_MODEL},
        "The job.",
        errors=(401, 404, 429),
        python=f'job = client.fine_tuning.jobs.retrieve("{EXAMPLE_JOB}")\nprint(job.status, job.fine_tuned_model)',
    ),
)
def retrieve_job(request, job_id: JobId):
    return job_object(job_for(request, job_id))


@router.get(
    "/fine_tuning/jobs/{job_id}/events",
    response=FineTuningEventList,
    operation_id="listFineTuningEvents",
    summary="List a job's events",
    description="Newest first: the job's end (succeeded, failed or cancelled, once it has finished), its "
    "training-loss points, each at the time the worker reported it, then its start by a worker, the validation "
    "of its data and its creation. A page of `limit` at a time, `after` being the last event id of the page before.",
    url_name="job-events",
    openapi_extra=documented(
        {
            "object": "list",
            "has_more": False,
            "data": [
                {
                    "id": "ftevent-12-end",
                    "object": "fine_tuning.job.event",
                    "created_at": CREATED + 900,
                    "level": "info",
                    "message": "The job has succeeded. New fine-tuned model: run-12",
                    "type": "message",
                    "data": {},
                },
                {
                    "id": "ftevent-12-318",
                    "object": "fine_tuning.job.event",
                    "created_at": CREATED,
                    "level": "info",
                    "message": "Step 40/40: training loss=1.5021",
                    "type": "metrics",
                    "data": {"step": 40, "train_loss": 1.5021},
                },
            ],
        },
        "The events.",
        errors=(400, 401, 404, 429),
        python=f'for event in client.fine_tuning.jobs.list_events("{EXAMPLE_JOB}"):\n    print(event.level, event.message)',
    ),
)
def list_job_events(request, job_id: JobId, limit: JobLimit = 20, after: After = None):
    run = job_for(request, job_id)
    ending = [] if after else [e for e in (end_event(run),) if e]
    opening = lifecycle_events(run)  # newest first: started, validated, validating, created
    known = [e["id"] for e in opening]
    if after in known:  # a page that starts inside the job's opening events
        rest = opening[known.index(after) + 1 :]
        return {"object": "list", "data": rest[:limit], "has_more": len(rest) > limit}
    points = run.points.exclude(loss=None).order_by("-step", "-id")
    number = object_id(after, f"ftevent-{run.id}") if after else None
    before = points.filter(id=number).first() if number is not None else None
    if before:
        points = points.filter(Q(step__lt=before.step) | Q(step=before.step, id__lt=before.id))
    found = ending + [metric_event(run, p) for p in points[: limit + 1 - len(ending)]]
    if len(found) <= limit:
        found += opening
    return {"object": "list", "data": found[:limit], "has_more": len(found) > limit}


def event(run, name, at, message, level="info", kind="message", data=None):
    return {
        "id": f"ftevent-{run.id}-{name}",
        "object": "fine_tuning.job.event",
        "created_at": int(at.timestamp()),
        "level": level,
        "message": message,
        "type": kind,
        "data": data or {},
    }


def lifecycle_events(run):
    """The job's opening events, newest first, as OpenAI emits them: created, its data validated
    (in the request that created it: the file was parsed and checked when uploaded, the settings
    when the job was made) and queued, and started by a worker (the latest start, once taken up)."""
    source = f"training file: {run.training_file}" if run.training_file else f"dataset version: {run.dataset_version}"
    events = [
        event(run, "created", run.created_at, f"Created fine-tuning job: ftjob-{run.id}"),
        event(run, "validating", run.created_at, f"Validating {source}"),
        event(run, "validated", run.created_at, "Files validated, moving job to queued state"),
    ]
    if run.started_at:
        again = f" (attempt {run.attempts}: resumed from its last checkpoint)" if run.attempts > 1 else ""
        events.append(event(run, "started", run.started_at, f"Fine-tuning job started{again}"))
    return events[::-1]


def end_event(run):
    """The event of a finished job: succeeded (with its model), failed (with why) or cancelled."""
    at = run.finished_at or run.created_at
    if run.status == run.Status.SUCCEEDED:
        return event(run, "end", at, f"The job has succeeded. New fine-tuned model: run-{run.id}")
    if run.status == run.Status.FAILED:
        return event(run, "end", at, f"The job has failed: {run.error or 'no reason was recorded'}", level="error")
    if run.status == run.Status.CANCELLED:
        return event(run, "end", at, "The job was cancelled.")
    return None


def metric_event(run, p):
    return event(
        run,
        p.id,
        p.created_at or run.created_at,
        f"Step {p.step}/{run.total}: training loss={p.loss:.4f}",
        kind="metrics",
        data={"step": p.step, "train_loss": p.loss, "valid_loss": p.eval_loss},
    )


@router.get(
    "/fine_tuning/jobs/{job_id}/checkpoints",
    response=FineTuningCheckpointList,
    operation_id="listFineTuningCheckpoints",
    summary="List a job's checkpoints",
    description="Newest first: a succeeded job's final adapter, served as its model (run-<id>), then the "
    "intermediate checkpoints training keeps in the run's folder (the last three and the best), named "
    "run-<id>:ckpt-step-<step>; those are listed, not served. A page of `limit` at a time, `after` being the "
    "last checkpoint id of the page before.",
    url_name="job-checkpoints",
    openapi_extra=documented(
        {
            "object": "list",
            "has_more": False,
            "first_id": "ftckpt-12-40",
            "last_id": "ftckpt-12-40",
            "data": [
                {
                    "id": "ftckpt-12-40",
                    "object": "fine_tuning.job.checkpoint",
                    "created_at": CREATED + 900,
                    "fine_tuned_model_checkpoint": EXAMPLE_MODEL,
                    "fine_tuning_job_id": EXAMPLE_JOB,
                    "step_number": 40,
                    "metrics": {"step": 40, "train_loss": 1.5021, "valid_loss": 1.61},
                }
            ],
        },
        "The checkpoints.",
        errors=(400, 401, 404, 429),
        python=f'for c in client.fine_tuning.jobs.checkpoints.list("{EXAMPLE_JOB}"):\n    print(c.id, c.step_number)',
    ),
)
def list_job_checkpoints(request, job_id: JobId, limit: JobLimit = 10, after: After = None):
    run = job_for(request, job_id)
    data = checkpoints(run)
    known = [c["id"] for c in data]
    if after is not None:
        if after not in known:
            raise ApiError(f"No checkpoint {after!r} in {job_id}.", param="after")
        data = data[known.index(after) + 1 :]
    page_ = data[:limit]
    return {
        "object": "list",
        "data": page_,
        "has_more": len(data) > limit,
        "first_id": page_[0]["id"] if page_ else None,
        "last_id": page_[-1]["id"] if page_ else None,
    }


def checkpoints(run):
    """The job's checkpoints, newest first: its final adapter once it has succeeded (served as
    run-<id>), then the intermediate ones training keeps in the run's folder (checkpoint-<step>,
    the last three and the best: training/core/engine.py), named run-<id>:ckpt-step-<step>. Those
    are listed to be downloaded with the run's artifacts or compared, not served."""
    points = {}
    for p in run.points.order_by("step", "id"):
        known = points.setdefault(p.step, {"train_loss": None, "valid_loss": None, "at": p.created_at})
        known["train_loss"] = p.loss if p.loss is not None else known["train_loss"]
        known["valid_loss"] = p.eval_loss if p.eval_loss is not None else known["valid_loss"]

    def checkpoint(step, model, at, metrics):
        return {
            "id": f"ftckpt-{run.id}-{step}",
            "object": "fine_tuning.job.checkpoint",
            "created_at": int(at.timestamp()),
            "fine_tuned_model_checkpoint": model,
            "fine_tuning_job_id": f"ftjob-{run.id}",
            "step_number": step,
            "metrics": {"step": step, **metrics},
        }

    found = []
    if run.status == run.Status.SUCCEEDED:
        last = max(points, default=0)
        step = run.summary.get("steps") or last
        losses = [v["train_loss"] for _, v in sorted(points.items()) if v["train_loss"] is not None]
        evals = [v["valid_loss"] for _, v in sorted(points.items()) if v["valid_loss"] is not None]
        metrics = {"train_loss": losses[-1] if losses else None, "valid_loss": evals[-1] if evals else None}
        found.append(checkpoint(step, f"run-{run.id}", run.finished_at or run.created_at, metrics))
    folder = FilePath(run.output_dir) if run.output_dir else None
    saved = []
    for path in folder.glob("checkpoint-*") if folder and folder.is_dir() else ():
        named = re.fullmatch(r"checkpoint-([0-9]+)", path.name)
        if named and (path / "adapter_config.json").is_file():
            saved.append((int(named.group(1)), path))
    for step, path in sorted(saved, reverse=True):
        if found and step == found[0]["step_number"]:
            continue  # the final adapter stands for its step
        known = points.get(step) or {"train_loss": None, "valid_loss": None, "at": None}
        at = known["at"] or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        metrics = {"train_loss": known["train_loss"], "valid_loss": known["valid_loss"]}
        found.append(checkpoint(step, f"run-{run.id}:ckpt-step-{step}", at, metrics))
    return found


@router.post(
    "/fine_tuning/jobs/{job_id}/cancel",
    response=FineTuningJob,
    operation_id="cancelFineTuningJob",
    summary="Cancel a fine-tuning job",
    description="Leads only. A queued job is cancelled at once; a running one stops at its next step. A finished "
    "job is returned unchanged.",
    url_name="cancel-job",
    openapi_extra=documented(
        {**JOB_EXAMPLE, "status": "cancelled"},
        "The job.",
        errors=(401, 403, 404, 413, 429),
        python=f'job = client.fine_tuning.jobs.cancel("{EXAMPLE_JOB}")\nprint(job.status)',
    ),
)
def cancel_job(request, job_id: JobId):
    run = job_for(request, job_id, Action.TRAIN)
    if not run.finished:
        queued = TrainingRun.objects.filter(id=run.id, status=TrainingRun.Status.QUEUED)
        if queued.update(status=TrainingRun.Status.CANCELLED, cancel_requested=True) == 0:
            TrainingRun.objects.filter(id=run.id).update(cancel_requested=True)
    run.refresh_from_db()
    return job_object(run)
