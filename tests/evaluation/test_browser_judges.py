"""The lead's path with a judge, in Chromium: configure it, run it on a study the experts rated,
and read whether it has earned trust."""

import re

import pytest
from django.urls import reverse

from evaluation.core.judging import reference_verdict
from evaluation.models import JudgeRun, Vote
from studio.celery import app as celery_app
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_lead_configures_a_judge_runs_it_on_a_study_and_reads_its_calibration(page, live_server, people, study):
    texts = {(o.item_id, o.system): o.text for o in study.outputs.all()}
    for a in study.assignments.select_related("item"):  # the experts prefer the answer with the reference's fields
        choice = reference_verdict(
            "json_fields", a.item.record().answer(), texts[(a.item_id, a.left)], texts[(a.item_id, a.right)]
        )
        Vote.objects.create(assignment=a, choice=choice)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + reverse("evaluation:study-list", args=[people.project.slug]))
    page.get_by_role("link", name="Judges").click()
    page.get_by_label("Name").fill("Fields rule")
    page.get_by_label("A rule over the metrics, against the reference answer").check()
    page.get_by_role("button", name="Save the judge").click()
    page.get_by_text("A reference judge needs a rule.").wait_for()  # named where it is wrong
    page.get_by_label("Rule (reference judges)").select_option("json_fields")
    page.get_by_role("button", name="Save the judge").click()
    page.get_by_text("Judge “Fields rule” saved").wait_for()

    page.goto(live_server.url + reverse("evaluation:study", args=[people.project.slug, study.id]))
    celery_app.conf.task_always_eager = True
    try:
        page.get_by_role("button", name="Run the judge on this study").click()
        page.wait_for_url(re.compile(r"/judges/\d+/$"))
    finally:
        celery_app.conf.task_always_eager = False
    run = JudgeRun.objects.get()
    assert run.status == JudgeRun.Status.SUCCEEDED, run.message
    page.reload()
    page.get_by_role("heading", name="Against the experts").wait_for()
    verdict = page.get_by_role("note").filter(has_text="trusted").first.inner_text()
    # ten study items: too few to tell, and the page says so rather than trusting a perfect score
    assert verdict.startswith("Not trusted yet") and "at least 20 are needed" in verdict
    cells = page.locator("table").first.inner_text()
    assert "Agreement with the experts' majority\t100%" in cells
    assert page.get_by_role("heading", name="The judge's").is_visible()
    if shots := __import__("os").environ.get("STUDIO_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/judge_calibration.png", full_page=True)


def test_a_lead_configures_a_model_judge_and_reads_its_raw_replies(
    page, live_server, people, study, trained, model_server, settings
):
    """A model judge asked through the serving backend (the local model server, as under `make
    run`): the lead edits the rubric, runs it, and sees every verdict with the reply behind it."""
    from evaluation.models import Judge

    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    texts = {(o.item_id, o.system): o.text for o in study.outputs.all()}
    for a in study.assignments.select_related("item"):
        choice = reference_verdict(
            "json_fields", a.item.record().answer(), texts[(a.item_id, a.left)], texts[(a.item_id, a.right)]
        )
        Vote.objects.create(assignment=a, choice=choice)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + reverse("evaluation:judges", args=[people.project.slug]))
    page.get_by_label("Name").fill("Tiny judge")
    page.get_by_label("A served model, asked with a rubric").check()
    rubric = page.get_by_role("textbox", name="Rubric")
    assert "{answer_a}" in rubric.input_value()  # the default rubric, ready to edit
    rubric.fill(rubric.input_value().replace("Prefer", "Strongly prefer", 1))
    page.get_by_label("Model", exact=True).fill(f"run-{trained.id}")
    page.get_by_label("Longest reply (tokens)").fill("8")
    page.get_by_role("button", name="Save the judge").click()
    page.get_by_text("Judge “Tiny judge” saved").wait_for()
    judge = Judge.objects.get(name="Tiny judge")
    assert judge.kind == Judge.Kind.MODEL and judge.model == f"run-{trained.id}"

    page.goto(live_server.url + reverse("evaluation:study", args=[people.project.slug, study.id]))
    celery_app.conf.task_always_eager = True
    try:
        page.get_by_label("Judge").select_option(str(judge.id))
        page.get_by_role("button", name="Run the judge on this study").click()
        page.wait_for_url(re.compile(r"/judges/\d+/$"))
    finally:
        celery_app.conf.task_always_eager = False
    run = JudgeRun.objects.get(judge=judge)
    assert run.status == JudgeRun.Status.SUCCEEDED, run.message
    verdicts = list(run.verdicts.all())
    assert len(verdicts) == 2 * study.assignments.filter(repeat_of="").values("item_id").distinct().count()
    page.reload()
    page.get_by_text("Replies with no plain verdict").first.wait_for()
    body = " ".join(page.locator("main").inner_text().split())
    unreadable = sum(not v.choice for v in verdicts)
    # a tiny model rarely ends on the verdict the rubric asks for: such replies are ties, counted
    assert f"{unreadable} of {len(verdicts)}" in body
    if unreadable:  # and shown as they came, so the lead can see why
        page.get_by_role("heading", name="Replies with no plain verdict (first").wait_for()
    if shots := __import__("os").environ.get("STUDIO_SCREENSHOTS"):
        page.screenshot(path=f"{shots}/model_judge.png", full_page=True)
