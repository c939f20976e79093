"""POST /v1/feedback: a rating (1 bad - 5 good) of a served answer, with the answer it should have
given; the project's rule may turn it into a draft example in curation (api/serving.py)."""

from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from api.bodies import RequestBody
from api.errors import ApiError
from api.models import ServedCompletion
from api.openapi import CREATED, documented
from api.scope import object_id, project_ids
from api.serving import give_feedback

router = Router(tags=["Feedback"])


class FeedbackRequest(RequestBody):
    completion_id: str = Field(
        min_length=1,
        description="The `id` a completion answer returned (chatcmpl-42 or cmpl-42). One that is unknown or not "
        "yours to see gives 404.",
        examples=["chatcmpl-42"],
    )
    rating: int = Field(ge=1, le=5, description="1 (bad) to 5 (good).")
    correction: str | None = Field(None, max_length=100_000, description="The answer the model should have given.")
    comment: str | None = Field(None, max_length=5_000, description="A note for the team.")


class Feedback(Schema):
    id: str = Field(pattern="^feedback-[0-9]+$")
    object: Literal["feedback"]
    completion_id: str = Field(pattern="^(chatcmpl|cmpl)-[0-9]+$")
    rating: int = Field(ge=1, le=5)
    correction: str | None = Field(description="null when none was given.")
    comment: str | None
    created_at: int = Field(description="Unix seconds.")
    draft_example: int | None = Field(
        description="The draft example the project's feedback rule made from this answer, if it made one."
    )


@router.post(
    "/feedback",
    response=Feedback,
    operation_id="createFeedback",
    summary="Rate a served answer",
    description=(
        "A rating from 1 (bad) to 5 (good) of an answer from `/v1/chat/completions` or `/v1/completions`, "
        "optionally with the answer the model should have given. When the project's feedback rule matches, "
        "the answer becomes a draft example in curation (`draft_example`). The openai client has no method for it: "
        "use its generic `post`."
    ),
    url_name="feedback",
    openapi_extra=documented(
        {
            "id": "feedback-7",
            "object": "feedback",
            "completion_id": "chatcmpl-42",
            "rating": 2,
            "correction": '{"category": "shipping"}',
            "comment": "Wrong category.",
            "created_at": CREATED,
            "draft_example": 311,
        },
        "The feedback, as recorded.",
        errors=(400, 401, 404, 413, 429),
        request={
            "completion_id": "chatcmpl-42",
            "rating": 2,
            "correction": '{"category": "shipping"}',
            "comment": "Wrong category.",
        },
        python=(
            'feedback = client.post("/feedback", cast_to=dict, body={\n'
            '    "completion_id": reply.id,  # e.g. chatcmpl-42\n'
            '    "rating": 2,\n'
            '    "correction": \'{"category": "shipping"}\',\n'
            "})\n"
            'print(feedback["id"], feedback["draft_example"])'
        ),
    ),
)
def feedback(request, body: FeedbackRequest):
    chat, plain = object_id(body.completion_id, "chatcmpl"), object_id(body.completion_id, "cmpl")
    completion = ServedCompletion.objects.filter(
        id=chat if chat is not None else plain if plain is not None else -1,
        project_id__in=project_ids(request),
        endpoint="chat.completions" if chat is not None else "completions",
    ).first()
    if completion is None:
        raise ApiError(f"No completion {body.completion_id!r} that you can see.", param="completion_id", status=404)
    if completion.status != ServedCompletion.Status.OK:
        raise ApiError(
            f"{body.completion_id} failed (the serving backend did not answer); there is no answer to rate.",
            param="completion_id",
        )
    given, draft = give_feedback(
        completion, request.user, body.rating, correction=body.correction or "", comment=body.comment or ""
    )
    return {
        "id": f"feedback-{given.id}",
        "object": "feedback",
        "completion_id": completion.public_id,
        "rating": given.rating,
        "correction": given.correction or None,
        "comment": given.comment or None,
        "created_at": int(given.created_at.timestamp()),
        "draft_example": draft.id if draft else None,
    }
