"""The /v1/ API with the official openai client against the live server, and API tokens."""

from pathlib import Path

import pytest
from django.urls import reverse

from api.models import ApiToken

pytestmark = pytest.mark.django_db


def test_tokens_are_shown_once_kept_hashed_and_revocable(as_user, people, django_user_model):
    client = as_user(people.annotator)
    page = client.post(reverse("api:tokens"), {"name": "CI"}).content.decode()
    token = ApiToken.objects.get()
    raw = page.split('<pre class="mono">')[1].split("</pre>")[0]
    assert raw.startswith("st-") and len(raw) > 30
    assert token.digest == ApiToken.hash(raw) and raw not in (token.digest, token.hint)
    assert raw not in client.get(reverse("api:tokens")).content.decode()  # never shown again
    other = as_user(people.reviewer)
    assert other.post(reverse("api:revoke-token", args=[token.id])).status_code == 404  # not theirs
    client = as_user(people.annotator)
    client.post(reverse("api:revoke-token", args=[token.id]))
    assert ApiToken.authenticate(raw) is None


def test_errors_are_json_with_a_message_and_the_field(client, people):
    response = client.get("/v1/models")
    assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_api_key"
    _, raw = ApiToken.issue(people.lead, "t")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.post("/v1/chat/completions", data="{nope", content_type="application/json", **headers)
    assert response.status_code == 400 and "not valid JSON" in response.json()["error"]["message"]
    hi = [{"role": "user", "content": "hi"}]
    response = client.post(
        "/v1/chat/completions", data={"model": "run-999", "messages": hi}, content_type="application/json", **headers
    )
    assert response.status_code == 404 and response.json()["error"]["param"] == "model"
    # the body is checked against its schema first (as OpenAI does): an empty conversation is a 400
    response = client.post(
        "/v1/chat/completions", data={"model": "run-999", "messages": []}, content_type="application/json", **headers
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "messages"
    response = client.post(
        "/v1/chat/completions",
        data={"model": "run-999", "messages": [{"role": "robot", "content": "hi"}]},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "messages[0].role"
    assert client.delete("/v1/models", **headers).status_code == 405


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_openai_client_lists_models_and_gets_a_completion(live_server, people, trained):
    from openai import NotFoundError, OpenAI

    _, raw = ApiToken.issue(people.reviewer, "notebook")
    client = OpenAI(base_url=live_server.url + "/v1", api_key=raw, max_retries=0)
    ids = [m.id for m in client.models.list()]
    assert ids == [f"run-{trained.id}"]
    reply = client.chat.completions.create(
        model=f"run-{trained.id}",
        messages=[{"role": "user", "content": "My parcel is late."}],
        max_tokens=16,
        temperature=0,
    )
    assert reply.choices[0].message.role == "assistant"
    assert reply.usage.completion_tokens > 0 and reply.choices[0].finish_reason in ("stop", "length")
    # a streaming client gets the same answer, as server-sent chunks
    chunks = list(
        client.chat.completions.create(
            model=f"run-{trained.id}",
            messages=[{"role": "user", "content": "My parcel is late."}],
            max_tokens=16,
            temperature=0,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == reply.choices[0].message.content
    # the usage comes last, in a chunk of its own with no choices (as OpenAI sends it)
    assert chunks[-2].choices[0].finish_reason == reply.choices[0].finish_reason
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == reply.usage.completion_tokens
    streamed = list(
        client.completions.create(
            model=f"run-{trained.id}", prompt="Triage: my parcel is late.", max_tokens=6, stream=True
        )
    )
    assert streamed[-1].choices[0].finish_reason in ("stop", "length") and streamed[0].id.startswith("cmpl-")

    _, outsider_raw = ApiToken.issue(people.outsider, "theirs")
    theirs = OpenAI(base_url=live_server.url + "/v1", api_key=outsider_raw, max_retries=0)
    assert [m.id for m in theirs.models.list()] == []  # another project's models stay hidden
    with pytest.raises(NotFoundError):
        theirs.chat.completions.create(model=f"run-{trained.id}", messages=[{"role": "user", "content": "hi"}])


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_openai_client_uploads_a_file_trains_follows_events_and_completes(
    live_server, people, tiny_model_dir, start_worker
):
    """Create a file, start a job on the tiny model, follow its events to success, list the model
    and get a completion: all with the official client."""
    import json

    from openai import BadRequestError, OpenAI

    from curation.core.demo_tickets import make_examples
    from tests.conftest import wait_for
    from training.core.model_info import inspect_model_folder
    from training.models import BaseModel

    base = BaseModel.objects.create(project=people.project, name="Tiny", path=str(tiny_model_dir))
    base.record_inspection(info=inspect_model_folder(tiny_model_dir))
    people.project.base_model = base
    people.project.save()
    _, raw = ApiToken.issue(people.lead, "script")
    client = OpenAI(base_url=live_server.url + "/v1", api_key=raw, max_retries=0, project=people.project.slug)

    with pytest.raises(BadRequestError, match="line 2"):
        client.files.create(file=("bad.jsonl", b'{"prompt": "a", "completion": "b"}\n{oops\n'), purpose="fine-tune")
    lines = "\n".join(
        json.dumps({"messages": [{"role": "user", "content": e.input}, {"role": "assistant", "content": e.output}]})
        for e in make_examples(n=40)
    )
    # bytes, not a stream: Django's test server cannot de-chunk uploads (under gunicorn they are read: test_openai_client)
    uploaded = client.files.create(file=("tickets.jsonl", lines.encode()), purpose="fine-tune")
    assert uploaded.id.startswith("file-") and uploaded.bytes == len(lines.encode())
    assert [f.id for f in client.files.list()] == [uploaded.id]

    process, log = start_worker()  # a real worker trains the job
    job = client.fine_tuning.jobs.create(
        training_file=uploaded.id, model="Tiny", hyperparameters={"n_epochs": 1, "batch_size": 8}, suffix="api-run"
    )
    assert job.status == "queued" and job.training_file == uploaded.id
    wait_for(
        lambda: client.fine_tuning.jobs.retrieve(job.id).status in ("succeeded", "failed", "cancelled"),
        180,
        "the job to finish",
        log,
    )
    job = client.fine_tuning.jobs.retrieve(job.id)
    assert job.status == "succeeded", job.error
    events = client.fine_tuning.jobs.list_events(job.id).data
    assert events[0].message.startswith("The job has succeeded") and any("training loss" in e.message for e in events)
    assert job.fine_tuned_model in [m.id for m in client.models.list()]
    reply = client.chat.completions.create(
        model=job.fine_tuned_model, messages=[{"role": "user", "content": "My parcel is late."}], max_tokens=8
    )
    assert reply.usage.completion_tokens > 0


def test_files_are_listed_for_the_token_s_projects_only(client, people):
    from api.models import ApiFile

    ApiFile.objects.create(project=people.project, user=people.lead, filename="a.jsonl", size=3, content=b"abc", rows=1)
    ApiFile.objects.create(
        project=people.other_project, user=people.outsider, filename="theirs.jsonl", size=3, content=b"xyz", rows=1
    )
    _, raw = ApiToken.issue(people.annotator, "t")
    response = client.get("/v1/files", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [f["filename"] for f in response.json()["data"]] == ["a.jsonl"]


@pytest.mark.slow
def test_completions_and_deleting_a_model(client, people, trained):
    _, reviewer = ApiToken.issue(people.reviewer, "r")
    _, lead = ApiToken.issue(people.lead, "l")
    model_id = f"run-{trained.id}"
    response = client.post(
        "/v1/completions",
        data={"model": model_id, "prompt": "Triage: my parcel is late.", "max_tokens": 6},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {reviewer}",
    )
    body = response.json()
    assert body["object"] == "text_completion" and body["usage"]["completion_tokens"] > 0
    assert client.delete(f"/v1/models/{model_id}", HTTP_AUTHORIZATION=f"Bearer {reviewer}").status_code == 403
    assert client.delete(f"/v1/models/{model_id}", HTTP_AUTHORIZATION=f"Bearer {lead}").json() == {
        "id": model_id,
        "object": "model",
        "deleted": True,
    }
    assert client.get("/v1/models", HTTP_AUTHORIZATION=f"Bearer {lead}").json()["data"] == []
    assert client.get(f"/v1/models/{model_id}", HTTP_AUTHORIZATION=f"Bearer {lead}").status_code == 404
    trained.refresh_from_db()
    assert (Path(trained.output_dir) / "adapter").is_dir()  # nothing is lost
