"""Judges through the pages: a lead configures one, runs it on a study (each pair in both orders,
every verdict stored with its reply) and reads its calibration against the experts' votes; the
rights (outsiders 404, annotators and reviewers 403); a model judge served by the local model
server."""

import json
import re

import pytest
from django.urls import reverse

from evaluation.core.judging import DEFAULT_RUBRIC, reference_verdict
from evaluation.models import Judge, JudgeRun, JudgeVerdict, Vote
from studio.celery import app as celery_app

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def url(name, people, *args):
    return reverse(f"evaluation:{name}", args=[people.project.slug, *args])


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    """eager(call): call() with the jobs it queues run at once, as a worker would run them."""
    celery_app.conf.task_always_eager = True

    def run(call):
        with django_capture_on_commit_callbacks(execute=True):
            return call()

    yield run
    celery_app.conf.task_always_eager = False


@pytest.fixture
def voted(study):
    """Every first-round comparison voted: the side with more of the reference's JSON fields wins
    (what the json_fields rule prefers), else a tie; swapped repeats voted alike."""
    from evaluation.core.judging import reference_verdict

    texts = {(o.item_id, o.system): o.text for o in study.outputs.all()}
    for a in study.assignments.select_related("item"):
        choice = reference_verdict(
            "json_fields", a.item.record().answer(), texts[(a.item_id, a.left)], texts[(a.item_id, a.right)]
        )
        Vote.objects.create(assignment=a, choice=choice)
    return study


def reference_judge(people):
    return Judge.objects.create(project=people.project, name="fields", kind=Judge.Kind.REFERENCE, rule="json_fields")


def test_a_lead_configures_a_judge_and_the_form_names_what_is_wrong(as_user, people, trained):
    client = as_user(people.lead)
    page = client.get(url("judges", people)).content.decode()
    assert "Verdict: A" in page  # the default rubric, ready to edit
    form = {
        "name": "tiny",
        "kind": "model",
        "rubric": "Compare {prompt} and {answer_a}",
        "model": "run-999",
        "max_new_tokens": 64,
        "trust_kappa": 0.6,
    }
    page = client.post(url("judges", people), form).content.decode()
    assert "The rubric must contain {answer_b}" in page
    assert "run-999: on the project&#x27;s backend a judge is base or run-&lt;id&gt;" in page
    page = client.post(url("judges", people), {**form, "kind": "reference", "rule": ""}).content.decode()
    assert "A reference judge needs a rule." in page
    page = client.post(
        url("judges", people),
        {**form, "rubric": DEFAULT_RUBRIC, "model": "gpt", "base_url": "http://169.254.169.254/v1"},
    )
    assert "internal address" in page.content.decode() and not Judge.objects.exists()
    page = client.post(
        url("judges", people),
        {
            **form,
            "rubric": DEFAULT_RUBRIC,
            "model": "gpt",
            "base_url": "https://judge.example/v1",
            "api_key_env": "DATABASE_URL",
        },
    )
    assert "name one that starts with STUDIO_JUDGE_KEY_" in page.content.decode()  # no secret of the workers leaves
    assert not Judge.objects.exists()
    response = client.post(url("judges", people), {**form, "rubric": DEFAULT_RUBRIC, "model": f"run-{trained.id}"})
    assert response.status_code == 302
    judge = Judge.objects.get()
    assert (judge.kind, judge.model, judge.created_by) == ("model", f"run-{trained.id}", people.lead)
    page = client.post(url("judges", people), {**form, "rubric": DEFAULT_RUBRIC, "model": "base"}).content.decode()
    assert "The project has a judge named &#x27;tiny&#x27; already." in page
    client.post(url("judge", people, judge.id), {**form, "rubric": DEFAULT_RUBRIC, "model": "base", "trust_kappa": 0.8})
    judge.refresh_from_db()
    assert (judge.model, judge.trust_kappa) == ("base", 0.8)


def test_a_reference_judge_rates_every_pair_both_ways_and_is_calibrated_against_the_votes(
    as_user, people, voted, eager
):
    judge = reference_judge(people)
    client = as_user(people.lead)
    response = eager(lambda: client.post(url("run-judge", people, voted.id), {"judge": judge.id}))
    run = JudgeRun.objects.get()
    assert response["Location"] == url("judge-run", people, voted.id, run.id)
    run.refresh_from_db()
    assert run.status == JudgeRun.Status.SUCCEEDED, run.message
    pairs = voted.assignments.filter(repeat_of="").values("item_id").distinct().count()
    assert run.verdicts.count() == 2 * pairs  # each shown pair, both orders
    assert set(run.verdicts.values_list("choice", flat=True)) <= {"left", "right", "tie"}
    page = client.get(url("judge-run", people, voted.id, run.id)).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "Against the experts" in page, text[-3000:]
    assert "Agreement with the experts' majority 100%" in text.replace("&#x27;", "'"), text[-3000:]
    assert "Same verdict with the sides swapped 100%" in text
    assert "The judge's" in text.replace("&#x27;", "'") and "The experts'" in text.replace("&#x27;", "'")
    study_page = client.get(url("study", people, voted.id)).content.decode()
    assert "Run the judge on this study" in study_page and f"judges/{run.id}/" in study_page


def test_a_rerun_after_a_lost_worker_keeps_the_verdicts_it_has(people, voted):
    from evaluation.judging import execute

    judge = reference_judge(people)
    run = JudgeRun.objects.create(judge=judge, study=voted, created_by=people.lead)
    run.claim()
    item = voted.outputs.order_by("item_id").first().item_id
    systems = sorted(voted.outputs.filter(item_id=item).values_list("system", flat=True))
    JudgeVerdict.objects.create(run=run, item_id=item, left=systems[0], right=systems[1], choice="tie", raw="kept")
    execute(run)
    kept = run.verdicts.get(item_id=item, left=systems[0], right=systems[1])
    assert kept.raw == "kept"  # not asked again
    assert run.verdicts.filter(item_id=item).count() == 2


def test_a_model_judge_on_the_local_model_server_keeps_every_raw_reply(
    as_user, people, voted, trained, model_server, settings, eager
):
    settings.LOCAL_MODEL_SERVER_URL = model_server[1]
    judge = Judge.objects.create(
        project=people.project,
        name="tiny judge",
        kind=Judge.Kind.MODEL,
        rubric=DEFAULT_RUBRIC,
        model=f"run-{trained.id}",
        max_new_tokens=8,
    )
    client = as_user(people.lead)
    eager(lambda: client.post(url("run-judge", people, voted.id), {"judge": judge.id}))
    run = JudgeRun.objects.get()
    assert run.status == JudgeRun.Status.SUCCEEDED, run.message
    verdicts = list(run.verdicts.all())
    assert verdicts and all(v.seconds > 0 for v in verdicts)
    assert run.config["model"] == f"run-{trained.id}" and run.config["rubric"] == DEFAULT_RUBRIC
    page = client.get(url("judge-run", people, voted.id, run.id)).content.decode()
    unreadable = sum(not v.choice for v in verdicts)
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert (
        f"no plain verdict {unreadable} of {len(verdicts)}" in text
        or f"verdict: {unreadable} of {len(verdicts)}" in text
    )
    if unreadable:
        assert "Replies with no plain verdict (first" in page


def test_a_judge_is_for_leads_only(as_user, people, voted):
    judge = reference_judge(people)
    run = JudgeRun.objects.create(judge=judge, study=voted, created_by=people.lead)
    gets = [url("judges", people), url("judge", people, judge.id), url("judge-run", people, voted.id, run.id)]
    for user, status in ((people.annotator, 403), (people.reviewer, 403), (people.outsider, 404)):
        client = as_user(user)
        for page in gets:
            assert client.get(page).status_code == status, (user, page)
        assert client.post(url("run-judge", people, voted.id), {"judge": judge.id}).status_code == status
        assert (
            client.post(url("judges", people), {"name": "x", "kind": "reference", "rule": "token_f1"}).status_code
            == status
        )
    assert JudgeRun.objects.count() == 1 and Judge.objects.count() == 1


def test_running_an_unknown_judge_says_so(as_user, people, voted):
    response = as_user(people.lead).post(url("run-judge", people, voted.id), {"judge": "12345"}, follow=True)
    assert "Pick one of the project&#x27;s judges" in response.content.decode()
    assert not JudgeRun.objects.exists()


def test_the_study_report_of_votes_is_what_the_judges_page_compares_with(people, voted):
    from evaluation.judging import calibration

    run = JudgeRun.objects.create(judge=reference_judge(people), study=voted, created_by=people.lead)
    report = calibration(run)  # no verdicts yet: nothing compared, nothing trusted
    assert report["n"] == 0 and not report["trusted"] and report["human_leaderboard"]
    assert json.dumps(report, default=str)  # plain data for the page


# --- scaling up: a trusted judge on every test item ------------------------------------------


@pytest.fixture
def calibrated(people, tiny_model_dir):
    """A study of 30 items whose two raters voted as the json_fields rule would (so the rule's
    judge earns trust), and an evaluation of the same run with its answers on 30 more items; all
    text written here, no model needed."""
    from django.utils import timezone

    from curation.core.demo_tickets import make_examples
    from evaluation.models import Assignment, EvaluationRun, Generation, Study, StudyOutput
    from tests.conftest import frozen_version
    from training.models import TrainingRun

    base, version = frozen_version(people, tiny_model_dir, make_examples(n=400), ratios=(0.8, 0.0, 0.2))
    run = TrainingRun.objects.create(
        project=people.project, name="r1", dataset_version=version, base_model=base, config={}, status="succeeded"
    )
    tuned = f"run-{run.id}"
    items = list(version.items.filter(split="test").order_by("id")[:60])
    assert len(items) == 60

    def answers(n, item):  # tuned right on two thirds, base better on the rest (right, or at least JSON)
        right, wrong = item.output, '{"category": "unknown"}'
        return {
            0: (wrong, right),
            1: (wrong, right),
            2: (wrong, right),
            3: (wrong, right),
            4: (right, wrong),
            # not JSON, and as close to the reference by tokens as `wrong`: the json_fields rule
            # (and the experts) prefer the base answer, token F1 calls it a tie on every item
            5: (wrong, "category"),
        }[n % 6]

    study = Study.objects.create(
        project=people.project,
        name="Calibration study",
        dataset_version=version,
        systems=[{"key": "base", "run_id": None}, {"key": tuned, "run_id": run.id}],
        status=Study.Status.CLOSED,
        closed_at=timezone.now(),
        created_by=people.lead,
    )
    study.raters.set([people.reviewer, people.lead])
    order = 0
    for n, item in enumerate(items[:30]):
        base_text, tuned_text = answers(n, item)
        StudyOutput.objects.create(study=study, item=item, system="base", text=base_text)
        StudyOutput.objects.create(study=study, item=item, system=tuned, text=tuned_text)
        for rater in (people.reviewer, people.lead):
            left, right = ("base", tuned) if (n + order) % 2 else (tuned, "base")
            texts = {"base": base_text, tuned: tuned_text}
            choice = reference_verdict("json_fields", item.output, texts[left], texts[right])
            a = Assignment.objects.create(
                study=study, rater=rater, item=item, left=left, right=right, token=f"t{order}", order=order
            )
            Vote.objects.create(assignment=a, choice=choice)
            order += 1
    ev = EvaluationRun.objects.create(
        project=people.project, training_run=run, decoding={}, backend={"kind": "local"}, status="succeeded"
    )
    for n, item in enumerate(items[30:]):
        for side, text in zip(("base", "tuned"), answers(n, item), strict=True):
            Generation.objects.create(
                evaluation=ev,
                item=item,
                side=side,
                text=text,
                finish_reason="stop",
                prompt_tokens=1,
                completion_tokens=1,
                seconds=0.1,
            )
    return study, ev, run


def test_only_a_judge_that_earned_trust_on_a_study_rates_every_test_item(as_user, people, calibrated, eager):
    study, ev, run = calibrated
    judge = reference_judge(people)
    client = as_user(people.lead)
    response = client.post(url("judge-evaluation", people, ev.id), {"judge": judge.id}, follow=True)
    assert (
        "has not been run, with its present settings, on a blind study your experts rated" in response.content.decode()
    )
    eager(lambda: client.post(url("run-judge", people, study.id), {"judge": judge.id}))
    calibration_run = JudgeRun.objects.get(study=study)
    page = " ".join(
        re.sub(
            r"<[^>]+>", " ", client.get(url("judge-run", people, study.id, calibration_run.id)).content.decode()
        ).split()
    )
    assert "Trusted : the lower end of kappa" in page, page[-2500:]

    response = eager(lambda: client.post(url("judge-evaluation", people, ev.id), {"judge": judge.id}))
    scaled = JudgeRun.objects.get(evaluation=ev)
    assert response["Location"] == url("evaluation-judge-run", people, ev.id, scaled.id)
    assert scaled.status == JudgeRun.Status.SUCCEEDED and scaled.verdicts.count() == 2 * 30
    text = " ".join(
        re.sub(
            r"<[^>]+>", " ", client.get(url("evaluation-judge-run", people, ev.id, scaled.id)).content.decode()
        ).split()
    )
    assert "On 30 test items: r1 better on 20 , the base model better on 10 , neither on 0" in text, text[-1200:]
    assert "The judge's verdicts, not the experts'" in text.replace("&#x27;", "'")

    judge.rule = "token_f1"  # another rule: the trust earned with json_fields does not carry over
    judge.save()
    response = client.post(url("judge-evaluation", people, ev.id), {"judge": judge.id}, follow=True)
    assert "has not been run, with its present settings" in response.content.decode()
    assert JudgeRun.objects.filter(evaluation=ev).count() == 1
    stricter = Judge.objects.create(
        project=people.project, name="f1", kind=Judge.Kind.REFERENCE, rule="token_f1", trust_kappa=0.95
    )
    eager(lambda: client.post(url("run-judge", people, study.id), {"judge": stricter.id}))
    response = client.post(url("judge-evaluation", people, ev.id), {"judge": stricter.id}, follow=True)
    refused = response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert "“f1” has not earned trust yet (its latest calibration, on “Calibration study”" in refused
    assert not JudgeRun.objects.filter(evaluation=ev, judge=stricter).exists()
