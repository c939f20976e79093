"""Served completions: logged, rated through POST /v1/feedback, watched on the monitoring page,
and turned into drafts in curation by hand or by the lead's rule; rate limits and JSON errors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken, Feedback, FeedbackRule, ServedCompletion
from curation.models import Example
from tests.conftest import succeeded_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def served_run(people, tiny_model_dir, tmp_path):
    """A succeeded run of the tiny model (no adapter needed: rows are made directly)."""
    from studio.core.records import Record

    return succeeded_run(
        people,
        tiny_model_dir,
        [Record(f"Triage ticket {i}.", "", f'{{"n": {i}}}') for i in range(12)],
        output_dir=tmp_path / "served",
    )


def serve(
    run,
    user,
    *,
    output='{"category": "billing"}',
    latency=120.0,
    ok=True,
    prompt="Where is my refund?",
    ago=timedelta(0),
    endpoint="chat.completions",
):
    row = ServedCompletion.objects.create(
        project=run.project,
        run=run,
        user=user,
        endpoint=endpoint,
        messages=[{"role": "user", "content": prompt}],
        output=output if ok else "",
        finish_reason="stop" if ok else "",
        prompt_tokens=9 if ok else 0,
        completion_tokens=6 if ok else 0,
        latency_ms=latency,
        status=ServedCompletion.Status.OK if ok else ServedCompletion.Status.ERROR,
        error="" if ok else "TGI at http://tgi:80: connection refused",
    )
    if ago:
        ServedCompletion.objects.filter(id=row.id).update(created_at=timezone.now() - ago)
    return row


def bearer(user, limit=None):
    token, raw = ApiToken.issue(user, "t")
    if limit:
        ApiToken.objects.filter(id=token.id).update(rate_limit_per_minute=limit)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def rate(client, headers, completion_id, **body):
    return client.post(
        "/v1/feedback", data={"completion_id": completion_id, **body}, content_type="application/json", **headers
    )


# --- logging and feedback through the API ----------------------------------------------------------


@pytest.mark.slow
def test_a_served_chat_is_logged_rated_and_the_rule_turns_a_correction_into_a_draft(client, people, trained):
    headers = bearer(people.reviewer)
    asked = [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "My parcel is late."}]
    reply = client.post(
        "/v1/chat/completions",
        data={"model": f"run-{trained.id}", "messages": asked, "max_tokens": 8},
        content_type="application/json",
        **headers,
    ).json()
    logged = ServedCompletion.objects.get()
    assert reply["id"] == f"chatcmpl-{logged.id}" and logged.status == "ok"
    assert logged.messages == asked and logged.output == reply["choices"][0]["message"]["content"]
    assert (
        logged.completion_tokens == reply["usage"]["completion_tokens"] > 0
        and logged.latency_ms > 0
        and logged.user == people.reviewer
    )

    given = rate(client, headers, reply["id"], rating=2).json()
    assert given["rating"] == 2 and given["draft_example"] is None  # no rule yet: nothing made
    FeedbackRule.objects.create(project=people.project, enabled=True, max_rating=1, on_correction=True)
    correction = '{"category": "shipping", "priority": "high"}'
    given = rate(client, headers, reply["id"], rating=3, correction=correction, comment="wrong category").json()
    draft = Example.objects.get(id=given["draft_example"])
    assert draft.status == Example.Status.DRAFT and draft.messages == [
        *asked,
        {"role": "assistant", "content": correction},
    ]
    assert reply["id"] in draft.source and "rated 3/5" in draft.source
    assert ServedCompletion.objects.get().draft == draft
    # the draft's page leads back to the completion
    client.force_login(people.lead)
    page = client.get(reverse("curation:example", args=[people.project.slug, draft.id])).content.decode()
    assert reverse("api:monitor", args=[people.project.slug, trained.id]) in page
    # more feedback on the same completion makes no second draft
    assert rate(client, headers, reply["id"], rating=1).json()["draft_example"] == draft.id
    assert Example.objects.filter(source__contains=reply["id"]).count() == 1


def test_a_backend_failure_is_logged_and_answered_with_a_json_error(client, people, served_run):
    from evaluation.models import ServingBackend

    ServingBackend.objects.create(project=people.project, kind="tgi", base_url="http://127.0.0.1:9", timeout=2)
    response = client.post(
        "/v1/completions",
        data={"model": f"run-{served_run.id}", "prompt": "Triage: refund"},
        content_type="application/json",
        **bearer(people.lead),
    )
    assert response.status_code == 502
    body = response.json()["error"]
    assert body["code"] == "backend_unavailable" and "127.0.0.1:9" in body["message"] and body["type"] == "server_error"
    failed = ServedCompletion.objects.get()
    assert failed.status == "error" and "127.0.0.1:9" in failed.error and failed.endpoint == "completions"


def test_feedback_names_the_field_at_fault_and_hides_other_projects_completions(client, people, served_run):
    ours = serve(served_run, people.lead)
    headers = bearer(people.annotator)
    assert rate(client, headers, ours.public_id, rating=5).status_code == 200
    for body, param in (
        ({"rating": 0}, "rating"),
        ({"rating": "5"}, "rating"),
        ({"rating": True}, "rating"),
        ({"rating": 4, "correction": 7}, "correction"),
        ({"rating": 4, "comment": "x" * 5001}, "comment"),
    ):
        response = rate(client, headers, ours.public_id, **body)
        assert response.status_code == 400 and response.json()["error"]["param"] == param, body
    assert rate(client, headers, "chatcmpl-999999", rating=1).status_code == 404
    assert rate(client, headers, f"cmpl-{ours.id}", rating=1).status_code == 404  # the id names its endpoint
    response = client.post("/v1/feedback", data={"rating": 1}, content_type="application/json", **headers)
    assert response.status_code == 400 and response.json()["error"]["param"] == "completion_id"
    outsider = rate(client, bearer(people.outsider), ours.public_id, rating=1)
    assert outsider.status_code == 404 and Feedback.objects.count() == 1


# --- the monitoring page -----------------------------------------------------------------------------


def test_the_monitoring_page_shows_volume_latency_errors_and_ratings(as_user, people, served_run):
    for latency in (100, 200, 300, 400):
        serve(served_run, people.lead, latency=latency)
    serve(served_run, people.lead, ok=False, latency=2000)
    bad = serve(served_run, people.lead, output="<script>alert(1)</script>", ago=timedelta(hours=30))
    Feedback.objects.create(completion=bad, user=people.reviewer, rating=1, comment="made up a category")
    serve(served_run, people.lead, ago=timedelta(days=10))  # outside the default 7 days

    page = (
        as_user(people.reviewer).get(reverse("api:monitor", args=[people.project.slug, served_run.id])).content.decode()
    )
    numbers = page.split('class="counts"')[1].split("</section>")[0]
    assert '<span class="big-number">6</span> requests' in numbers
    assert '<span class="big-number">17%</span> failed (1)' in numbers  # 1 of 6
    assert '<span class="big-number">200</span> ms p50' in numbers  # of 100, 120, 200, 300, 400 answered
    assert '<span class="big-number">1.0</span> mean of 1 rating' in numbers
    assert page.count('<svg class="time-chart"') == 4  # requests, latency, error rate, ratings
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "made up a category" in page
    day = (
        as_user(people.reviewer)
        .get(reverse("api:monitor", args=[people.project.slug, served_run.id]) + "?period=24h")
        .content.decode()
    )
    assert '<span class="big-number">5</span> requests' in day
    low = (
        as_user(people.reviewer)
        .get(reverse("api:monitor", args=[people.project.slug, served_run.id]) + "?show=low")
        .content.decode()
    )
    assert low.count('<tr id="c') == 1 and f'id="c{bad.id}"' in low
    errors = (
        as_user(people.reviewer)
        .get(reverse("api:monitor", args=[people.project.slug, served_run.id]) + "?show=errors")
        .content.decode()
    )
    assert errors.count('<tr id="c') == 1 and "connection refused" in errors


def test_the_monitoring_page_is_for_members_only(as_user, people, served_run):
    url = reverse("api:monitor", args=[people.project.slug, served_run.id])
    assert as_user(people.outsider).get(url).status_code == 404
    from training.models import TrainingRun

    TrainingRun.objects.filter(id=served_run.id).update(status="failed")
    assert as_user(people.lead).get(url).status_code == 404  # a failed run is no model


# --- from feedback to curation ------------------------------------------------------------------------


def test_one_click_makes_a_linked_draft_once(as_user, people, served_run):
    c = serve(served_run, people.lead, output='{"category": "billing"}', prompt="Refund not received")
    Feedback.objects.create(completion=c, user=people.reviewer, rating=1, correction='{"category": "refunds"}')
    url = reverse("api:completion-draft", args=[people.project.slug, c.id])
    assert as_user(people.outsider).post(url).status_code == 404
    assert as_user(people.reviewer).post(url).status_code == 403  # reviewers do not write examples
    monitor = reverse("api:monitor", args=[people.project.slug, served_run.id])
    response = as_user(people.annotator).post(url, {"next": "//evil.example.org/x"})
    assert response.status_code == 302 and response["Location"] == monitor  # no redirect off the site
    draft = Example.objects.get(source__contains=c.public_id)
    assert as_user(people.annotator).post(url, {"next": "https://evil.example.org/"})["Location"] == monitor
    assert draft.author == people.annotator and draft.status == Example.Status.DRAFT
    assert draft.messages == [
        {"role": "user", "content": "Refund not received"},
        {"role": "assistant", "content": '{"category": "refunds"}'},
    ]
    assert draft.revisions.count() == 1
    as_user(people.annotator).post(url)
    assert Example.objects.filter(source__contains=c.public_id).count() == 1
    page = (
        as_user(people.annotator)
        .get(reverse("api:monitor", args=[people.project.slug, served_run.id]))
        .content.decode()
    )
    assert reverse("curation:example", args=[people.project.slug, draft.id]) in page


def test_a_plain_completion_becomes_an_instruction_draft_with_the_model_answer(as_user, people, served_run):
    c = serve(
        served_run,
        people.lead,
        endpoint="completions",
        prompt="Triage: card declined",
        output='{"category": "payments"}',
    )
    as_user(people.lead).post(reverse("api:completion-draft", args=[people.project.slug, c.id]))
    draft = Example.objects.get(source__contains=f"cmpl-{c.id}")
    assert (draft.instruction, draft.output, draft.messages) == (
        "Triage: card declined",
        '{"category": "payments"}',
        None,
    )


def test_making_drafts_of_all_low_rated_or_corrected(as_user, people, served_run):
    low = serve(served_run, people.lead)
    corrected = serve(served_run, people.lead)
    good = serve(served_run, people.lead)
    unrated = serve(served_run, people.lead)
    Feedback.objects.create(completion=low, rating=2)
    Feedback.objects.create(completion=corrected, rating=4, correction="better")
    Feedback.objects.create(completion=good, rating=5)
    url = reverse("api:monitor-drafts", args=[people.project.slug, served_run.id])
    assert as_user(people.reviewer).post(url).status_code == 403
    as_user(people.annotator).post(url)
    drafted = set(ServedCompletion.objects.exclude(draft=None).values_list("id", flat=True))
    assert drafted == {low.id, corrected.id} and unrated.id not in drafted
    assert (
        Example.objects.get(id=ServedCompletion.objects.get(id=corrected.id).draft_id).messages[-1]["content"]
        == "better"
    )


def test_the_lead_sets_the_rule(as_user, people, served_run):
    url = reverse("api:feedback-rule", args=[people.project.slug])
    assert as_user(people.annotator).post(url, {"enabled": "on", "max_rating": "2"}).status_code == 403
    assert as_user(people.outsider).post(url, {"enabled": "on", "max_rating": "2"}).status_code == 404
    response = as_user(people.lead).post(url, {"enabled": "on", "max_rating": "9"}, follow=True)
    assert "from 0" in response.content.decode() and not FeedbackRule.objects.exists()
    response = as_user(people.lead).post(url, {"enabled": "on", "max_rating": "2", "on_correction": "on"}, follow=True)
    assert "a rating of 2 or less or a correction makes a draft" in response.content.decode()
    rule = FeedbackRule.objects.get(project=people.project)
    assert rule.enabled and rule.max_rating == 2 and rule.on_correction and rule.updated_by == people.lead
    assert rule.matches(2, "") and rule.matches(5, "fixed") and not rule.matches(3, "  ")
    response = as_user(people.lead).post(url, {"enabled": "on", "max_rating": "²"}, follow=True)
    assert response.status_code == 200 and "from 0" in response.content.decode()


# --- rate limits, size limits and JSON errors ------------------------------------------------------------


def test_a_token_over_its_rate_limit_gets_429_with_retry_after(client, people, served_run):
    import time

    if time.time() % 60 > 55:  # the count starts again each minute: stay inside one
        time.sleep(61 - time.time() % 60)
    headers = bearer(people.annotator, limit=3)
    answers = [client.get("/v1/models", **headers) for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    assert answers[0]["x-ratelimit-limit-requests"] == "3" and answers[2]["x-ratelimit-remaining-requests"] == "0"
    refused = answers[3]
    assert refused.json()["error"]["code"] == "rate_limit_exceeded" and 1 <= int(refused["Retry-After"]) <= 60
    assert (
        client.get("/v1/models", **bearer(people.annotator, limit=3)).status_code == 200
    )  # another token has its own count


def test_every_error_under_v1_is_json(client, people):
    headers = bearer(people.lead)
    unknown = client.get("/v1/no-such-thing", **headers)
    assert unknown.status_code == 404 and "/v1/no-such-thing" in unknown.json()["error"]["message"]
    assert client.get("/v1/feedback", **headers).json()["error"]["message"].startswith("GET is not allowed")
    big = client.post(
        "/v1/chat/completions", data="{" + " " * 1_100_000 + "}", content_type="application/json", **headers
    )
    assert big.status_code == 413 and big.json()["error"]["code"] == "request_too_large"


# --- one project's token and another project's files, jobs and models -------------------------------------


def test_a_token_of_another_project_sees_none_of_its_files_jobs_or_models(client, people, served_run):
    from api.models import ApiFile

    ApiFile.objects.create(
        project=people.project, user=people.lead, filename="ours.jsonl", size=3, content=b"abc", rows=1
    )
    theirs = bearer(people.outsider)
    assert client.get("/v1/files", **theirs).json()["data"] == []
    assert client.get("/v1/fine_tuning/jobs", **theirs).json()["data"] == []
    assert client.get("/v1/models", **theirs).json()["data"] == []
    for url in (
        f"/v1/fine_tuning/jobs/ftjob-{served_run.id}",
        f"/v1/fine_tuning/jobs/ftjob-{served_run.id}/events",
        f"/v1/models/run-{served_run.id}",
    ):
        assert client.get(url, **theirs).status_code == 404, url
    assert client.post(f"/v1/fine_tuning/jobs/ftjob-{served_run.id}/cancel", **theirs).status_code == 404
    assert client.delete(f"/v1/models/run-{served_run.id}", **theirs).status_code == 404
    from training.models import BaseModel

    their_base = BaseModel.objects.create(
        project=people.other_project, name="Tiny", path=served_run.base_model.path, status="ready"
    )
    people.other_project.base_model = their_base
    people.other_project.save()
    f = ApiFile.objects.get()
    response = client.post(
        "/v1/fine_tuning/jobs",
        data={"training_file": f"file-{f.id}"},
        content_type="application/json",
        HTTP_OPENAI_PROJECT=people.other_project.slug,
        **theirs,
    )
    assert (
        response.status_code == 404 and response.json()["error"]["param"] == "training_file"
    )  # our file is not theirs to train on
    ours = bearer(people.annotator)
    assert [j["id"] for j in client.get("/v1/fine_tuning/jobs", **ours).json()["data"]] == [f"ftjob-{served_run.id}"]


def test_jobs_from_the_same_file_train_on_one_version_and_check_types(
    client, people, served_run, eager_tasks, monkeypatch
):
    import json

    from curation.models import DatasetVersion, Job

    monkeypatch.setattr(
        "training.tasks.train_run.delay", lambda **kwargs: None
    )  # no training here: the job objects are the point
    people.project.base_model = served_run.base_model
    people.project.save()
    headers = {**bearer(people.lead), "HTTP_OPENAI_PROJECT": people.project.slug}
    rows = "\n".join(
        json.dumps({"instruction": f"Triage: case {i}", "output": '{"category": "shipping"}'}) for i in range(6)
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = client.post(
        "/v1/files", {"purpose": "fine-tune", "file": SimpleUploadedFile("t.jsonl", rows.encode())}, **headers
    ).json()
    examples = Example.objects.count()
    first = client.post(
        "/v1/fine_tuning/jobs", data={"training_file": uploaded["id"]}, content_type="application/json", **headers
    ).json()
    second = client.post(
        "/v1/fine_tuning/jobs",
        data={"training_file": uploaded["id"], "suffix": "again"},
        content_type="application/json",
        **headers,
    ).json()
    assert first["status"] == second["status"] == "queued" and first["id"] != second["id"]
    assert Example.objects.count() == examples + 6  # the rows came in once
    assert DatasetVersion.objects.filter(name__startswith=uploaded["id"]).count() == 1
    assert Job.objects.filter(
        project=people.project, kind="scan"
    ).exists()  # the new examples are checked in the background
    for hp, param in (
        ({"n_epochs": True}, "hyperparameters.n_epochs"),
        ({"learning_rate_multiplier": "abc"}, "hyperparameters.learning_rate_multiplier"),
    ):
        response = client.post(
            "/v1/fine_tuning/jobs",
            data={"dataset_version": "v1", "hyperparameters": hp},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 400 and response.json()["error"]["param"] == param
    response = client.post(
        "/v1/fine_tuning/jobs",
        data={"dataset_version": "v1", "seed": 2**64},
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "seed"


def test_the_rule_drafts_in_the_lead_s_name_and_never_from_a_failure(client, people, served_run):
    FeedbackRule.objects.create(
        project=people.project, enabled=True, max_rating=2, on_correction=True, updated_by=people.lead
    )
    answered = serve(served_run, people.lead)
    failed = serve(served_run, people.lead, ok=False)
    headers = bearer(people.reviewer)  # reviewers may not write examples themselves
    draft_id = rate(client, headers, answered.public_id, rating=1, correction="better").json()["draft_example"]
    draft = Example.objects.get(id=draft_id)
    assert draft.author == people.lead and "rated 1/5 by rosa" in draft.source
    response = rate(client, headers, failed.public_id, rating=1, correction="anything")
    assert response.status_code == 400 and response.json()["error"]["param"] == "completion_id"
    assert (
        not Feedback.objects.filter(completion=failed).exists() and Example.objects.count() == 13
    )  # 12 frozen + 1 draft


def test_low_rated_means_the_latest_rating_and_the_bulk_button_follows_the_rule(as_user, people, served_run):
    from api.serving import needs_curation, rule_for

    rerated = serve(served_run, people.lead)
    Feedback.objects.create(completion=rerated, rating=1)
    Feedback.objects.create(completion=rerated, rating=5)  # a second look: fine after all
    low = serve(served_run, people.lead)
    Feedback.objects.create(completion=low, rating=2)
    corrected = serve(served_run, people.lead)
    Feedback.objects.create(completion=corrected, rating=4, correction="better")
    rule = rule_for(people.project)
    assert set(needs_curation(ServedCompletion.objects.all(), rule)) == {low, corrected}
    page = (
        as_user(people.reviewer)
        .get(reverse("api:monitor", args=[people.project.slug, served_run.id]) + "?show=low")
        .content.decode()
    )
    assert f'id="c{low.id}"' in page and f'id="c{rerated.id}"' not in page
    FeedbackRule.objects.create(project=people.project, max_rating=0, on_correction=True)  # corrections only
    as_user(people.annotator).post(reverse("api:monitor-drafts", args=[people.project.slug, served_run.id]))
    assert set(ServedCompletion.objects.exclude(draft=None)) == {corrected}


def test_odd_page_numbers_and_one_completion(as_user, people, served_run):
    rows = [serve(served_run, people.lead) for _ in range(3)]
    url = reverse("api:monitor", args=[people.project.slug, served_run.id])
    for query in ("?page=²", "?page=99999999999999999999", "?completion=①", "?period=x&show=y"):
        assert as_user(people.reviewer).get(url + query).status_code == 200, query
    one = as_user(people.reviewer).get(f"{url}?completion={rows[0].id}").content.decode()
    assert one.count('<tr id="c') == 1 and f'id="c{rows[0].id}"' in one and "Show all completions" in one


def test_a_chat_template_that_refuses_the_conversation_is_a_400_naming_messages(
    client, people, served_run, tiny_model_dir, tmp_path
):
    import shutil

    from training.models import BaseModel

    strict = tmp_path / "strict-model"
    shutil.copytree(tiny_model_dir, strict)
    template = (strict / "chat_template.jinja").read_text()
    (strict / "chat_template.jinja").write_text(
        "{% if messages[0]['role'] == 'system' %}{{ raise_exception('System role not supported') }}{% endif %}"
        + template
    )
    BaseModel.objects.filter(id=served_run.base_model_id).update(path=str(strict))
    response = client.post(
        "/v1/chat/completions",
        data={
            "model": f"run-{served_run.id}",
            "messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "hi"}],
        },
        content_type="application/json",
        **bearer(people.lead),
    )
    assert response.status_code == 400
    assert (
        response.json()["error"]["param"] == "messages"
        and "System role not supported" in response.json()["error"]["message"]
    )


def test_max_tokens_zero_is_refused_not_replaced(client, people, served_run):
    response = client.post(
        "/v1/completions",
        data={"model": f"run-{served_run.id}", "prompt": "hi", "max_tokens": 0},
        content_type="application/json",
        **bearer(people.lead),
    )
    assert response.status_code == 400 and response.json()["error"]["param"] == "max_tokens"


def test_old_served_completions_are_pruned_and_their_drafts_kept(people, served_run, settings):
    from api.serving import make_draft
    from api.tasks import prune_served_completions

    settings.SERVED_LOG_DAYS = 30
    old = serve(served_run, people.lead, ago=timedelta(days=31))
    Feedback.objects.create(completion=old, rating=1)
    draft, _ = make_draft(old, people.annotator)
    recent = serve(served_run, people.lead, ago=timedelta(days=29))
    assert prune_served_completions() == 1
    assert list(ServedCompletion.objects.all()) == [recent] and not Feedback.objects.exists()
    assert Example.objects.filter(id=draft.id).exists()


def test_a_token_can_carry_its_own_rate_limit(as_user, people):
    client = as_user(people.annotator)
    page = client.post(reverse("api:tokens"), {"name": "batch job", "rate_limit": "abc"}).content.decode()
    assert "a whole number from 1" in page and not ApiToken.objects.exists()
    client.post(reverse("api:tokens"), {"name": "batch job", "rate_limit": "30"})
    assert ApiToken.objects.get().rate_limit_per_minute == 30
    assert "30/min" in client.get(reverse("api:tokens")).content.decode()


def test_models_by_version_name_and_the_project_header(client, people, served_run):
    from training.models import TrainingRun

    TrainingRun.objects.filter(id=served_run.id).update(version_name="support-v2")
    headers = bearer(people.lead)
    ours = client.get("/v1/models/support-v2", **headers)  # the registry's version name works as the model id
    assert ours.status_code == 200 and ours.json()["id"] == f"run-{served_run.id}"
    unknown = client.get("/v1/models/support-v9", **headers).json()["error"]
    assert unknown["param"] == "model" and f"yours: run-{served_run.id}" in unknown["message"]
    wrong = client.get("/v1/models", HTTP_OPENAI_PROJECT="nope", **headers)
    assert wrong.status_code == 404 and wrong.json()["error"]["param"] == "OpenAI-Project"
    # the header narrows lists to its project
    from studio.models import Membership, Role

    Membership.objects.create(project=people.other_project, user=people.lead, role=Role.LEAD)
    assert client.get("/v1/models", HTTP_OPENAI_PROJECT=people.other_project.slug, **headers).json()["data"] == []
    assert [
        m["id"] for m in client.get("/v1/models", HTTP_OPENAI_PROJECT=people.project.slug, **headers).json()["data"]
    ] == [f"run-{served_run.id}"]
    client.delete(f"/v1/models/run-{served_run.id}", **headers)
    gone = client.get(f"/v1/models/run-{served_run.id}", **headers).json()["error"]["message"]
    assert "was deleted through the API" in gone and "serve it again" in gone


@pytest.mark.slow
def test_a_model_without_chat_template_is_asked_with_its_training_prompt(
    client, people, served_run, tiny_model_dir, tmp_path
):
    import shutil

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from studio.core.prompts import ALPACA_NO_INPUT
    from training.models import BaseModel, TrainingRun

    plain = tmp_path / "plain-model"
    shutil.copytree(tiny_model_dir, plain)
    (plain / "chat_template.jinja").unlink()
    get_peft_model(
        AutoModelForCausalLM.from_pretrained(plain),
        LoraConfig(r=4, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"),
    ).save_pretrained(tmp_path / "run" / "adapter")
    BaseModel.objects.filter(id=served_run.base_model_id).update(path=str(plain))
    TrainingRun.objects.filter(id=served_run.id).update(output_dir=str(tmp_path / "run"))
    headers = bearer(people.lead)
    ask = {"model": f"run-{served_run.id}", "max_tokens": 4}
    two = client.post(
        "/v1/chat/completions",
        data={
            **ask,
            "messages": [
                {"role": "user", "content": "a"},
                {"role": "assistant", "content": "b"},
                {"role": "user", "content": "c"},
            ],
        },
        content_type="application/json",
        **headers,
    )
    assert two.status_code == 400 and "one user turn" in two.json()["error"]["message"]
    one = client.post(
        "/v1/chat/completions",
        data={**ask, "messages": [{"role": "user", "content": "Triage: my parcel is late."}]},
        content_type="application/json",
        **headers,
    )
    assert one.status_code == 200, one.content
    expected = AutoTokenizer.from_pretrained(plain)(
        ALPACA_NO_INPUT.format(instruction="Triage: my parcel is late."), add_special_tokens=False
    )["input_ids"]
    assert one.json()["usage"]["prompt_tokens"] == len(
        expected
    )  # the alpaca prompt it was trained with, not the bare text


# --- generation outside the web process ------------------------------------------------------------


class FakeModelServer:
    """TGI's native route, answering a fixed text and keeping what it was asked: no model, no torch."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        asked = self.asked = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                asked.append((self.path, json.loads(self.rfile.read(int(self.headers["Content-Length"])))))
                body = json.dumps(
                    {
                        "generated_text": '{"category": "shipping"}',
                        "details": {"finish_reason": "eos_token", "generated_tokens": 7, "prefill": [{}] * 11},
                    }
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def fake_model_server(settings):
    fake = FakeModelServer()
    settings.LOCAL_MODEL_SERVER_URL = fake.url
    yield fake
    fake.server.shutdown()


def test_the_api_generates_on_the_model_server_naming_the_base_model_and_the_adapter_folder(
    client, people, served_run, fake_model_server
):
    from pathlib import Path

    (Path(served_run.output_dir) / "adapter").mkdir(parents=True, exist_ok=True)
    reply = client.post(
        "/v1/chat/completions",
        data={"model": f"run-{served_run.id}", "messages": [{"role": "user", "content": "Late parcel"}]},
        content_type="application/json",
        **bearer(people.lead),
    )
    assert reply.status_code == 200, reply.content
    assert reply.json()["choices"][0]["message"]["content"] == '{"category": "shipping"}'
    assert reply.json()["usage"] == {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
    ((path, asked),) = fake_model_server.asked
    assert path == "/generate" and "Late parcel" in asked["inputs"]
    assert asked["parameters"]["base_model"] == served_run.base_model.path
    assert asked["parameters"]["adapter_id"] == str(Path(served_run.output_dir) / "adapter")


def test_without_a_model_server_the_api_answers_502_and_loads_no_model(client, people, served_run, settings):
    from pathlib import Path

    from evaluation.core import backends

    (Path(served_run.output_dir) / "adapter").mkdir(parents=True, exist_ok=True)
    settings.LOCAL_MODEL_SERVER_URL = ""
    loads = []
    original = backends.LocalBackend._load
    backends.LocalBackend._load = lambda self: loads.append(self) or original(self)
    try:
        reply = client.post(
            "/v1/completions",
            data={"model": f"run-{served_run.id}", "prompt": "Late parcel"},
            content_type="application/json",
            **bearer(people.lead),
        )
    finally:
        backends.LocalBackend._load = original
    assert reply.status_code == 502 and "LOCAL_MODEL_SERVER_URL" in reply.json()["error"]["message"]
    assert loads == []
    assert "LOCAL_MODEL_SERVER_URL" in ServedCompletion.objects.get().error


NO_TORCH = """
import sys, types
import django
django.setup()
import api.completions, api.urls, api.v1_routes  # the web process's API modules
from evaluation.evaluating import backend_for  # noqa: F401
from evaluation.core.backends import Decoding, ModelServerBackend, Request
from tests.api.test_serving import FakeModelServer

fake = FakeModelServer()
run = types.SimpleNamespace(base_model=types.SimpleNamespace(path=sys.argv[1]))
prompt = api.completions.chat_prompt(run, [{"role": "user", "content": "Late parcel"}])
(g,) = ModelServerBackend(fake.url, sys.argv[1], {"run-1": sys.argv[1]}).generate(
    [Request(prompt, adapter="run-1")], Decoding(max_new_tokens=4)
)
assert g.completion_tokens == 7, g
print("torch" in sys.modules, "transformers.modeling_utils" in sys.modules)
"""


def test_the_web_process_path_of_a_chat_never_imports_torch(tiny_model_dir):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings", "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", NO_TORCH, str(tiny_model_dir)], cwd=root, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split() == ["False", "False"], done.stdout


def test_the_web_process_renders_chats_exactly_as_the_model_s_tokenizer_does(tiny_model_dir, tmp_path):
    import shutil

    from transformers import AutoTokenizer

    from studio.core.prompts import template_kind, template_tokenizer

    real, light = AutoTokenizer.from_pretrained(tiny_model_dir), template_tokenizer(tiny_model_dir)
    for chat in (
        [{"role": "user", "content": "My parcel is late."}],
        [
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": 'c "quoted" <b>'},
        ],
    ):
        for generation in (True, False):
            expected = real.apply_chat_template(chat, tokenize=False, add_generation_prompt=generation)
            assert light.apply_chat_template(chat, add_generation_prompt=generation) == expected
    assert light.eos_token == real.eos_token
    plain = tmp_path / "plain"
    shutil.copytree(tiny_model_dir, plain)
    (plain / "chat_template.jinja").unlink()
    assert template_kind(template_tokenizer(plain)) == template_kind(AutoTokenizer.from_pretrained(plain)) == "alpaca"


@pytest.mark.slow
def test_a_full_fine_tune_answers_through_the_api(client, people, full_trained):
    headers = bearer(people.reviewer)
    listed = [m["id"] for m in client.get("/v1/models", **headers).json()["data"]]
    assert f"run-{full_trained.id}" in listed
    reply = client.post(
        "/v1/chat/completions",
        data={"model": f"run-{full_trained.id}", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 6},
        content_type="application/json",
        **headers,
    )
    assert reply.status_code == 200, reply.content[:300]
    assert reply.json()["usage"]["completion_tokens"] > 0
