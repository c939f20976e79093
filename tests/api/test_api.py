"""The /v1/ API with the official openai client against the live server, and API tokens."""

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
    response = client.post("/v1/chat/completions", data={"model": "run-999", "messages": []}, content_type="application/json", **headers)
    assert response.status_code == 404 and response.json()["error"]["param"] == "model"
    assert client.delete("/v1/models", **headers).status_code == 405


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_openai_client_lists_models_and_gets_a_completion(live_server, people, trained):
    from openai import NotFoundError, OpenAI

    _, raw = ApiToken.issue(people.reviewer, "notebook")
    client = OpenAI(base_url=live_server.url + "/v1", api_key=raw, max_retries=0)
    ids = [m.id for m in client.models.list()]
    assert ids == [f"run-{trained.id}"]
    reply = client.chat.completions.create(model=f"run-{trained.id}", messages=[{"role": "user", "content": "My parcel is late."}], max_tokens=16, temperature=0)
    assert reply.choices[0].message.role == "assistant"
    assert reply.usage.completion_tokens > 0 and reply.choices[0].finish_reason in ("stop", "length")

    _, outsider_raw = ApiToken.issue(people.outsider, "theirs")
    theirs = OpenAI(base_url=live_server.url + "/v1", api_key=outsider_raw, max_retries=0)
    assert [m.id for m in theirs.models.list()] == []  # another project's models stay hidden
    with pytest.raises(NotFoundError):
        theirs.chat.completions.create(model=f"run-{trained.id}", messages=[{"role": "user", "content": "hi"}])
