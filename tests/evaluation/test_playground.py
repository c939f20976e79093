"""The chat playground: a lead puts one message to the base model and a tuned run side by side,
through the local model server (the web process loads no model), and keeps a reply as a draft."""

import re

import pytest
from django.urls import reverse

from curation.models import Example

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def served(model_server, settings):
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]


def url(name, people):
    return reverse(f"evaluation:{name}", args=[people.project.slug])


def ask(client, people, trained, **extra):
    form = {"base": "1", "run": [trained.id], "message": "My parcel is three weeks late.", "max_new_tokens": "12"}
    return client.post(url("playground", people), {**form, **extra})


def test_lead_asks_the_base_model_and_a_run_side_by_side_and_keeps_a_reply(as_user, people, trained, served):
    client = as_user(people.lead)
    page = client.get(url("playground", people)).content.decode()
    assert trained.name in page and "Send to every chosen model" in page
    response = ask(client, people, trained)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('class="card reply"') == 2 and f"{trained.base_model.name} (base)" in page
    again = ask(client, people, trained).content.decode()

    def answers(html):
        return re.findall(r'<pre class="output">(.*?)</pre>|\(empty answer[^)]*\)', html, re.S)

    assert answers(page) and answers(page) == answers(again)  # temperature 0: the same replies again
    draft = client.post(
        url("playground-draft", people),
        {"message": "My parcel is three weeks late.", "reply": "<b>Sorry</b>", "model": trained.name, "system": ""},
    )
    example = Example.objects.latest("id")
    assert draft["Location"] == reverse("curation:example", args=[people.project.slug, example.id])
    assert example.status == Example.Status.DRAFT and example.output == "<b>Sorry</b>"
    assert example.instruction == "My parcel is three weeks late." and example.source == f"playground: {trained.name}"
    with_system = client.post(
        url("playground-draft", people), {"message": "Hi", "reply": "Hello", "system": "Answer in JSON."}
    )
    assert with_system.status_code == 302 and Example.objects.latest("id").messages[0]["role"] == "system"


def test_bad_requests_say_why(as_user, people, trained, served):
    client = as_user(people.lead)
    assert "Write a message to send." in ask(client, people, trained, message="  ").content.decode()
    assert "Choose at least one tuned run" in ask(client, people, trained, run=[]).content.decode()
    assert "Temperature must be from 0" in ask(client, people, trained, temperature="9").content.decode()
    assert ask(client, people, trained, max_new_tokens="lots").status_code == 400


def test_without_a_model_server_the_page_says_so(as_user, people, trained, settings):
    settings.LOCAL_MODEL_SERVER_URL = ""
    response = ask(as_user(people.lead), people, trained)
    assert response.status_code == 400
    assert "no local model server is configured" in response.content.decode()


def test_playground_outsider_and_wrong_roles(as_user, people, trained, served):
    for who, status in ((people.outsider, 404), (people.annotator, 403), (people.reviewer, 403)):
        assert as_user(who).get(url("playground", people)).status_code == status
        assert ask(as_user(who), people, trained).status_code == status
        assert as_user(who).post(url("playground-draft", people), {"message": "x", "reply": "y"}).status_code == status
    assert not Example.objects.filter(source__startswith="playground").exists()
