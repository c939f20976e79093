"""Blind studies stay blind: while a study is open, a rater (who is no lead) reaches nothing that
maps its answers to models. The scan walks every project page in the URL resolver and every /v1/
route, with ids filled from the project's objects; closing the study opens everything again."""

import html
import re

import pytest
from django.urls import URLResolver, get_resolver

from api.fine_tuning import with_result_file
from api.models import ApiFile, ApiToken, ServedCompletion
from curation.models import PairFinding
from evaluation.blinding import hidden_run_ids
from evaluation.models import EvaluationRun, Generation, Judge, JudgeRun
from studio.models import Membership
from training.models import ArtifactArchive, TrainingRun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TIED_OUTPUT = "The tuned model says: refund approved within three working days."
SERVED_OUTPUT = "Served by the tuned model: your parcel is on its way."


def routes(urlconf=None):
    """(route, name, callback) for every URL pattern, includes walked."""

    def walk(patterns, prefix):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p.name, p.callback

    return list(walk(get_resolver(urlconf).url_patterns, ""))


def fill(route, values):
    """The route with every <converter:name> replaced by values[name]; a new parameter fails the
    test until the scan knows which object fills it."""

    def one(match):
        name = match.group(1).split(":")[-1]
        assert name in values, f"the leak scan does not know how to fill <{name}> in {route}"
        return str(values[name])

    return "/" + re.sub(r"<([^>]+)>", one, route)


@pytest.fixture
def scene(people, trained, study, as_user):
    """Everything of the project a rater could stumble on: an evaluation of the study's run whose
    tuned outputs are the study's, a correction draft a lead made from it (which holds the tuned
    answer and names the run), a served completion of it, and a run outside the study."""
    key = f"run-{trained.id}"
    first = study.outputs.filter(system=key).order_by("id").first()
    study.outputs.filter(id=first.id).update(text=TIED_OUTPUT)
    evaluation = EvaluationRun.objects.create(
        project=people.project,
        training_run=trained,
        decoding={"temperature": 0},
        backend={"kind": "local"},
        status=EvaluationRun.Status.SUCCEEDED,
    )
    for output in study.outputs.all():
        Generation.objects.create(
            evaluation=evaluation,
            item_id=output.item_id,
            side="tuned" if output.system == key else "base",
            text=output.text,
            finish_reason="stop",
            prompt_tokens=5,
            completion_tokens=5,
            seconds=0.1,
        )
    served = ServedCompletion.objects.create(
        project=people.project,
        run=trained,
        user=people.lead,
        endpoint="chat.completions",
        messages=[{"role": "user", "content": "Where is my parcel?"}],
        output=SERVED_OUTPUT,
    )
    outside = TrainingRun.objects.create(
        project=people.project,
        name="outside-the-study",
        dataset_version=trained.dataset_version,
        base_model=trained.base_model,
        config={},
        status=TrainingRun.Status.SUCCEEDED,
    )
    archive = ArtifactArchive.objects.create(run=trained, artifact="adapter", created_by=people.lead)
    with_result_file(trained)  # the metrics file a lead's GET of the job made: named after the job
    upload = ApiFile.objects.create(
        project=people.project, user=people.lead, filename="tickets.jsonl", size=2, content=b"{}", rows=1
    )
    assignment = study.assignments.filter(rater=people.reviewer).order_by("order").first()
    as_user(people.lead).post(
        f"/p/{people.project.slug}/evaluations/{evaluation.id}/items/{first.item_id}/to-curation/"
    )
    example = people.project.examples.get(origin_run_id=trained.id)  # the correction draft
    assert example.output == TIED_OUTPUT and trained.name in example.source
    # the checks pair it with the example it came from (same prompt, another answer): that pair
    # must not show its text to a rater either (the check report, the source example's editor)
    source = people.project.examples.exclude(id=example.id).order_by("id").first()
    PairFinding.objects.get_or_create(
        project=people.project, low=source, high=example, kind="contradiction", defaults={"detail": "differs"}
    )
    judge = Judge.objects.create(project=people.project, name="fields", kind="reference", rule="json_fields")
    JudgeRun.objects.create(judge=judge, study=study, created_by=people.lead, status="succeeded")
    values = {
        "slug": people.project.slug,
        "judge_id": judge.id,
        "membership_id": Membership.objects.get(project=people.project, user=people.reviewer).id,
        "base_model_id": trained.base_model_id,
        "run_id": trained.id,
        "name": "adapter",
        "example_id": example.id,
        "low_id": example.id,
        "high_id": example.id + 1,
        "job_id": 1,
        "version_id": trained.dataset_version_id,
        "other_id": trained.dataset_version_id,
        "item_id": assignment.item_id,
        "evaluation_id": evaluation.id,
        "study_id": study.id,
        "token": assignment.token,
        "completion_id": served.id,
        "archive_id": archive.id,
        "file_id": f"file-{upload.id}",
        "model_id": f"run-{trained.id}",
        "rest": "models",
    }
    return {"evaluation": evaluation, "served": served, "outside": outside, "values": values, "draft": example}


def project_pages(values):
    """(name, url) of every page under /p/<slug>/, ids filled."""
    pages = []
    for route, name, _callback in routes():
        if route.startswith("p/<slug:slug>/"):
            url = fill(route, values)
            if name == "compare-runs":
                url += f"?run={values['run_id']}&run={values['outside']}"
            pages.append((name, url))
    return pages


def secrets(trained, study, served):
    """What would tie the study's answers to a model: the run's name, ids and paths, and the
    outputs it gave (in evaluations and serving)."""
    found = [
        rf"run-{trained.id}(?![0-9])",  # also inside names such as step_metrics_ftjob-12.csv
        rf"ftjob-{trained.id}(?![0-9])",
        rf"\b{re.escape(trained.name)}\b",
        re.escape(trained.output_dir),
        rf"/runs/{trained.id}/",
        rf"/models/{trained.id}/",
        re.escape(html.escape(TIED_OUTPUT)),
        re.escape(SERVED_OUTPUT),
    ]
    return found


def api(client, raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def call_v1(client, raw, route, values):
    """One /v1/ route the way a client calls it: chats and completions are posted, the rest read."""
    url = fill(route, values)
    headers = api(client, raw)
    if route.endswith("chat/completions"):
        body = {"model": values["model_id"], "messages": [{"role": "user", "content": "Where is my parcel?"}]}
        return url, client.post(url, data=body, content_type="application/json", **headers)
    if route.endswith("v1/completions"):
        body = {"model": values["model_id"], "prompt": "Where is my parcel?"}
        return url, client.post(url, data=body, content_type="application/json", **headers)
    response = client.get(url, **headers)
    if response.status_code == 405:  # a route that acts (cancel): posted, as the client does
        response = client.post(url, data={}, content_type="application/json", **headers)
    return url, response


def test_a_rater_reaches_nothing_that_maps_answers_to_models_until_the_study_closes(
    as_user, client, people, trained, study, scene
):
    values = dict(scene["values"], outside=scene["outside"].id)
    reviewer = Membership.objects.get(project=people.project, user=people.reviewer)
    lead = Membership.objects.get(project=people.project, user=people.lead)
    assert hidden_run_ids(reviewer) == {trained.id}
    assert hidden_run_ids(lead) == set()  # leads who rate keep full access: they chose the systems
    patterns = secrets(trained, study, scene["served"])
    pages = project_pages(values)
    assert len(pages) > 50  # the whole resolver, not a hand-picked list
    as_user(people.reviewer)
    # (artifact downloads and archives need the training right: a reviewer gets 403 for any run,
    # hidden, missing or not, so those answers say nothing about the study)
    about_the_run = {"run", "evaluation", "monitor"}
    opened = 0
    for name, url in pages:
        response = client.get(url)
        if name in about_the_run:
            assert response.status_code == 404, (url, response.status_code)  # as if it did not exist
        body = response.content.decode(errors="replace") if not response.streaming else ""
        for pattern in patterns:
            if name == "rate" and pattern == re.escape(html.escape(TIED_OUTPUT)):
                continue  # the rating page shows the output, untied: that is the study
            assert not re.search(pattern, body), (url, pattern)
        opened += response.status_code == 200
    assert opened >= 10
    # a run outside the study is not hidden, nor are the examples that hold no hidden run's output
    assert client.get(f"/p/{people.project.slug}/runs/{scene['outside'].id}/").status_code == 200
    draft = scene["draft"]
    assert client.get(f"/p/{people.project.slug}/examples/{draft.id}/").status_code == 404
    listed = client.get(f"/p/{people.project.slug}/examples/?status=draft").content.decode()
    assert f"/examples/{draft.id}/" not in listed
    other = people.project.examples.exclude(id=draft.id).order_by("id").first()
    page = client.get(f"/p/{people.project.slug}/examples/{other.id}/").content.decode()
    assert f"#{draft.id}" not in page  # its pair with the hidden draft is left out
    assert f"/examples/{draft.id}/" not in client.get(f"/p/{people.project.slug}/checks/").content.decode()
    assert client.post(f"/p/{people.project.slug}/served/{scene['served'].id}/draft/").status_code in (403, 404)
    page = client.get(f"/p/{people.project.slug}/rate/{values['token']}/").content.decode()
    assert "the models it compares are hidden from you" in page

    # every route posted too, as a form with nothing filled (the actions: save, review, cancel,
    # merge, to curation, judge...), as a curious rater would: neither the answer nor the page it
    # sends on to names the run or shows its outputs, and what is about the run stays missing
    posted = 0
    for name, url in pages:
        response = client.post(url, {})
        assert response.status_code in (200, 204, 302, 400, 403, 404, 405), (url, response.status_code)
        if name in about_the_run:
            assert response.status_code in (404, 405), (url, response.status_code)
        bodies = [response.content.decode(errors="replace") if not response.streaming else ""]
        if response.status_code == 302 and response["Location"].startswith("/p/"):
            bodies.append(client.get(response["Location"]).content.decode(errors="replace"))
        for body in bodies:
            for pattern in patterns:
                if name == "rate" and pattern == re.escape(html.escape(TIED_OUTPUT)):
                    continue
                assert not re.search(pattern, body), (url, pattern)
        posted += response.status_code != 405
    assert posted > 20

    # the API: every /v1/ route, with the hidden run's ids
    _, raw = ApiToken.issue(people.reviewer, "notebook")
    v1 = [(route, name) for route, name, _ in routes("api.v1_routes") if name != "openapi"]
    assert len(v1) >= 8
    values = dict(values, job_id=f"ftjob-{trained.id}")  # /v1/'s <job_id> is a fine-tuning job
    missing = dict(values, model_id="run-999999", job_id="ftjob-999999")
    for route, _name in v1:
        url, response = call_v1(client, raw, route, values)
        body = response.content.decode(errors="replace")
        names_the_run = re.search(r"<(?:\w+:)?(model_id|job_id)>", route) or "completions" in route
        if names_the_run:  # names the hidden run: answered as a missing one (files name uploads, not runs)
            _, answer = call_v1(client, raw, route, missing)
            assert response.status_code == answer.status_code == 404, (url, response.status_code)
            body = body.replace(values["model_id"], missing["model_id"]).replace(f"ftjob-{trained.id}", "ftjob-999999")
            assert body == answer.content.decode(errors="replace"), url
        for pattern in patterns:
            assert not re.search(pattern, body), (url, pattern)
    listed = [m["id"] for m in client.get("/v1/models", **api(client, raw)).json()["data"]]
    assert listed == [f"run-{scene['outside'].id}"]
    job = client.get(f"/v1/fine_tuning/jobs/ftjob-{trained.id}", **api(client, raw))
    assert job.status_code == 404

    # closing the study reveals everything
    as_user(people.lead).post(f"/p/{people.project.slug}/studies/{study.id}/close/")
    as_user(people.reviewer)
    assert hidden_run_ids(Membership.objects.get(id=reviewer.id)) == set()
    for name, url in pages:
        if name in about_the_run - {"download-artifact"}:
            response = client.get(url)
            assert response.status_code == 200, url
            assert trained.name in response.content.decode(), url
    assert f"run-{trained.id}" in client.get(f"/p/{people.project.slug}/models/").content.decode()
    assert client.get(f"/p/{people.project.slug}/examples/{draft.id}/").status_code == 200  # the draft too
    evaluation_page = client.get(f"/p/{people.project.slug}/evaluations/{scene['evaluation'].id}/").content.decode()
    assert html.escape(TIED_OUTPUT) in evaluation_page
    listed = {m["id"] for m in client.get("/v1/models", **api(client, raw)).json()["data"]}
    assert f"run-{trained.id}" in listed
    assert client.get(f"/v1/models/run-{trained.id}", **api(client, raw)).status_code == 200
    assert client.get(f"/v1/fine_tuning/jobs/ftjob-{trained.id}", **api(client, raw)).status_code == 200


def test_the_study_page_says_the_rule(as_user, people, study):
    page = as_user(people.lead).get(f"/p/{people.project.slug}/studies/{study.id}/").content.decode()
    assert "raters of this study who are not leads cannot open the runs it compares" in page
    as_user(people.lead).post(f"/p/{people.project.slug}/studies/{study.id}/close/")
    page = as_user(people.lead).get(f"/p/{people.project.slug}/studies/{study.id}/").content.decode()
    assert "cannot open the runs it compares" not in page
