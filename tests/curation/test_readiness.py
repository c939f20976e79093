"""The readiness pages: a lead measures the approved examples or a version in the background and
everyone in the project reads the verdict, balance, topics, outliers and consistency."""

import json
import re

import pytest

from curation.core.splits import SplitConfig
from curation.models import Example, Job
from curation.versions import freeze

pytestmark = pytest.mark.django_db

TOPICS = {
    "billing": [
        "Why was I charged twice for order {n}?",
        "Refund the payment for invoice {n}",
        "My card was billed {n} dollars",
    ],
    "delivery": [
        "Where is parcel {n}? It has not arrived",
        "The courier lost package {n}",
        "Tracking number {n} is stuck",
    ],
}


@pytest.fixture
def approved(make_example):
    rows = []
    for n in range(60):
        category = "billing" if n % 2 else "delivery"
        priority = "urgent" if n < 3 else "normal"  # a small class
        template = TOPICS[category][n % 3]
        rows.append(
            make_example(
                instruction="Triage the support ticket",
                input=template.format(n=100 + n),
                output=json.dumps({"category": category, "priority": priority}),
                status=Example.Status.APPROVED,
            )
        )
    return rows


def measure(client, url, callbacks, **thresholds):
    with callbacks(execute=True):
        return client.post(url, {"min_examples": 20, "preferred_examples": 50, **thresholds})


def test_lead_measures_the_approved_examples_and_reviewer_reads_the_report(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    response = measure(as_user(people.lead), curation_url("readiness"), django_capture_on_commit_callbacks)
    job = Job.objects.get(kind=Job.Kind.READINESS)
    assert response["Location"] == curation_url("job", job.id)
    assert job.status == Job.Status.SUCCEEDED, job.message
    assert job.details["version_id"] is None and job.details["total"] == 60
    assert job.details["rules"]["min_examples"] == 20
    page = as_user(people.reviewer).get(curation_url("readiness")).content.decode()
    # the small class is flagged, with a link to its examples
    assert "urgent" in page and "under the 10 you set" in page
    assert f"{curation_url('example-list')}?label=priority%3Durgent" in page
    assert "Coverage: topics" in page and "<svg" in page
    # the verdict is on the freeze form and the statistics page too
    for name in ("freeze-version", "stats"):
        assert "Enough examples per class" in as_user(people.lead).get(curation_url(name)).content.decode()


def test_the_class_link_lists_exactly_that_class(as_user, people, approved, curation_url):
    page = as_user(people.annotator).get(curation_url("example-list") + "?label=priority%3Durgent").content.decode()
    shown = set(map(int, re.findall(r'href="/p/[^/]+/examples/(\d+)/"', page)))
    assert shown == {e.id for e in approved[:3]}
    assert "Answer has priority=urgent" in page


def test_a_new_version_gets_its_report_and_card(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(people.lead).post(
            curation_url("freeze-version"),
            {
                "name": "v1",
                "train": 80,
                "validation": 10,
                "test": 10,
                "seed": 0,
                "leakage_override": "templated tickets",
            },
        )
    assert response.status_code == 302
    version = people.project.dataset_versions.get()
    job = Job.objects.get(kind=Job.Kind.READINESS)
    assert job.status == Job.Status.SUCCEEDED and job.details["version_id"] == version.id
    assert sum(n for _, n in job.details["splits"]) == 60
    page = as_user(people.reviewer).get(curation_url("version-readiness", version.id)).content.decode()
    assert "Readiness of" in page and "v1" in page and "test" in page
    from curation.core.cards import dataset_card
    from curation.version_export import card_meta

    card = dataset_card(card_meta(version, "alpaca", {"train": "train.jsonl"}))
    assert "## Readiness" in card and "Enough examples" in card


def test_bad_thresholds_are_refused_naming_the_field(as_user, people, approved, curation_url):
    response = as_user(people.lead).post(curation_url("readiness"), {"min_examples": "lots"})
    assert response.status_code == 400
    assert "Examples at least: must be a number" in response.content.decode()
    assert not Job.objects.filter(kind=Job.Kind.READINESS).exists()


def test_readiness_outsider_and_wrong_roles(
    as_user, people, approved, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    version = freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(), leakage_override="x")
    for url in (curation_url("readiness"), curation_url("version-readiness", version.id)):
        assert as_user(people.outsider).get(url).status_code == 404
        assert measure(as_user(people.outsider), url, django_capture_on_commit_callbacks).status_code == 404
        assert measure(as_user(people.annotator), url, django_capture_on_commit_callbacks).status_code == 403
        assert measure(as_user(people.reviewer), url, django_capture_on_commit_callbacks).status_code == 403
        assert as_user(people.annotator).get(url).status_code == 200
    assert not Job.objects.filter(kind=Job.Kind.READINESS).exists()
    other = people.other_project
    assert as_user(people.lead).get(f"/p/{other.slug}/readiness/").status_code == 404


def test_lead_unifies_a_task_phrased_several_ways(as_user, people, make_example, curation_url):
    ways = ["Classify this ticket", "Classify  this ticket", "Classify the ticket below", "Please classify this ticket"]
    rows = [
        make_example(instruction=ways[n % 4], input=f"ticket {n}", output="billing", status=Example.Status.APPROVED)
        for n in range(8)
    ]
    other = make_example(
        instruction="Summarize this ticket", input="ticket x", output="short", status=Example.Status.APPROVED
    )
    form = {
        "to": "Classify this ticket",
        "phrasing": ["Classify this ticket", "Classify the ticket below", "Please classify this ticket"],
    }
    for who in (people.annotator, people.reviewer):
        assert as_user(who).post(curation_url("unify-phrasing"), form).status_code == 403
    assert as_user(people.outsider).post(curation_url("unify-phrasing"), form).status_code == 404
    response = as_user(people.lead).post(curation_url("unify-phrasing"), form, follow=True)
    assert "6 examples now read" in response.content.decode()
    for row in rows:
        row.refresh_from_db()
        assert row.instruction == "Classify this ticket" and row.status == Example.Status.APPROVED
    changed = [r for r in rows if r.version > 1]
    assert len(changed) == 6  # the chosen phrasing typed with a doubled space is made the same too
    assert changed[0].revisions.first().action == "unified phrasing"
    assert changed[0].revisions.filter(instruction__in=ways).exists()  # the old wording is kept
    other.refresh_from_db()
    assert other.instruction == "Summarize this ticket" and other.version == 1
    # a phrasing that was not offered is refused
    bad = as_user(people.lead).post(curation_url("unify-phrasing"), {**form, "to": "Something else"}, follow=True)
    assert "Choose one of the task" in bad.content.decode()


def test_an_outlier_opens_with_why_it_is_one(
    as_user, people, approved, make_example, curation_url, eager_tasks, django_capture_on_commit_callbacks
):
    stray = make_example(
        instruction="Triage the support ticket",
        input="Explain the theory of general relativity and the curvature of spacetime near black holes",
        output=json.dumps({"category": "billing", "priority": "normal"}),
        status=Example.Status.APPROVED,
    )
    measure(as_user(people.lead), curation_url("readiness"), django_capture_on_commit_callbacks)
    report = as_user(people.reviewer).get(curation_url("readiness")).content.decode()
    link = f"{curation_url('example', stray.id)}?outlier=1"
    assert link in report
    page = as_user(people.reviewer).get(link).content.decode()
    assert "calls it an outlier: far from every topic" in page
    plain = as_user(people.reviewer).get(curation_url("example", stray.id)).content.decode()
    assert "calls it an outlier" not in plain  # the editor reads the report only when asked
    ordinary = as_user(people.reviewer).get(f"{curation_url('example', approved[0].id)}?outlier=1").content.decode()
    assert "calls it an outlier" not in ordinary


def test_the_leads_home_points_at_readiness_and_the_freeze(as_user, people, approved):
    from django.urls import reverse

    page = as_user(people.lead).get(reverse("studio:project-home", args=[people.project.slug])).content.decode()
    assert "60 approved examples are in no version yet" in page and "Check readiness" in page
    freeze(people.project, people.lead, name="v1", note="", config=SplitConfig(), leakage_override="x")
    page = as_user(people.lead).get(reverse("studio:project-home", args=[people.project.slug])).content.decode()
    assert "in no version yet" not in page and "Launch a run</a> on v1" in page
