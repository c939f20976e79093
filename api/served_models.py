"""GET /v1/models, GET and DELETE /v1/models/{model_id}: the tuned models a token may use, as
`run-<id>`, every succeeded training run of its projects that is still served."""

from typing import Literal

from django.utils import timezone
from ninja import Path, Router, Schema
from pydantic import Field

from api.errors import ApiError
from api.openapi import CREATED, EXAMPLE_MODEL, EXAMPLE_PROJECT, documented
from api.scope import served_run, visible_runs
from studio.models import Action, Membership
from training.models import TrainingRun

router = Router(tags=["Models"])

ModelId = Path[
    str,
    {"description": "A model id from GET /v1/models (or a version name from the registry).", "example": EXAMPLE_MODEL},
]


class Model(Schema):
    id: str = Field(pattern="^run-[0-9]+$")
    object: Literal["model"]
    created: int
    owned_by: str = Field(description="The project's slug.")


class ModelList(Schema):
    object: Literal["list"]
    data: list[Model]


class DeletedModel(Schema):
    id: str
    object: Literal["model"]
    deleted: Literal[True]


MODEL_EXAMPLE = {"id": EXAMPLE_MODEL, "object": "model", "created": CREATED, "owned_by": EXAMPLE_PROJECT}


def model_object(run):
    return {
        "id": f"run-{run.id}",
        "object": "model",
        "created": int(run.created_at.timestamp()),
        "owned_by": run.project.slug,
    }


@router.get(
    "/models",
    response=ModelList,
    operation_id="listModels",
    summary="List tuned models",
    description="The succeeded training runs of every project you are a member of, whose model has not been deleted.",
    url_name="models",
    openapi_extra=documented(
        {"object": "list", "data": [MODEL_EXAMPLE]},
        "The models you can use.",
        errors=(401, 429),
        python="for model in client.models.list():\n    print(model.id, model.owned_by)",
    ),
)
def list_models(request):
    return {"object": "list", "data": [model_object(run) for run in visible_runs(request)]}


@router.get(
    "/models/{model_id}",
    response=Model,
    operation_id="retrieveModel",
    summary="Retrieve a model",
    url_name="model",
    openapi_extra=documented(
        MODEL_EXAMPLE,
        "The model.",
        errors=(401, 404, 429),
        python=f'model = client.models.retrieve("{EXAMPLE_MODEL}")\nprint(model.owned_by)',
    ),
)
def retrieve_model(request, model_id: ModelId):
    return model_object(served_run(request, model_id))


@router.delete(
    "/models/{model_id}",
    response=DeletedModel,
    operation_id="deleteModel",
    summary="Stop serving a model",
    description="Leads only. The model leaves `GET /v1/models` and is no longer served; its adapter and history "
    "are kept.",
    openapi_extra=documented(
        {"id": EXAMPLE_MODEL, "object": "model", "deleted": True},
        "The model is no longer served.",
        errors=(401, 403, 404, 429),
        python=f'client.models.delete("{EXAMPLE_MODEL}")',
    ),
)
def delete_model(request, model_id: ModelId):
    run = served_run(request, model_id)
    if not Membership.objects.filter(user=request.user, project=run.project).first().can(Action.TRAIN):
        raise ApiError(f"Your role in {run.project.slug} may not delete models.", status=403)
    TrainingRun.objects.filter(id=run.id).update(model_deleted_at=timezone.now())
    return {"id": model_id, "object": "model", "deleted": True}
