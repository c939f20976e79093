"""Blind A/B studies through the pages: preparation, rating without any hint of the models,
immutable votes, and the report."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from evaluation.models import Assignment, Vote

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def url(name, people, *args):
    return reverse(f"evaluation:{name}", args=[people.project.slug, *args])


def same_items(study, trained):
    from evaluation.studying import same_text

    texts = {}
    for o in study.outputs.all():
        texts.setdefault(o.item_id, {})[o.system] = o.text
    return {i for i, t in texts.items() if same_text(t["base"], t[f"run-{trained.id}"])}


def test_assignments_cover_the_items_twice_with_balanced_sides(study, trained):
    items = min(10, trained.dataset_version.counts["test"])
    main = study.assignments.filter(repeat_of="")
    assert main.count() == (items - len(same_items(study, trained))) * 2
    for rater in study.raters.all():
        lefts = Counter(main.filter(rater=rater).values_list("left", flat=True))
        assert abs(lefts["base"] - lefts[f"run-{trained.id}"]) <= 1
    assert study.assignments.exclude(repeat_of="").count() >= 2


def test_rater_pages_reveal_nothing_about_the_models(as_user, people, study, trained):
    client = as_user(people.reviewer)
    secrets = [
        rf"\brun-{trained.id}\b",
        r"\br1\b",
        r"\bTiny\b",
        r"\bbase model\b",
        re.escape(trained.output_dir),
        re.escape(trained.base_model.path),
        rf"/runs/{trained.id}/",
    ]
    pages = [
        client.get(url("rate", people, a.token)).content.decode()
        for a in study.assignments.filter(rater=people.reviewer)
    ]
    pages.append(client.get(url("study-list", people)).content.decode())
    for page in pages:
        for secret in secrets:
            assert not re.search(secret, page), secret
    assert client.get(url("study", people, study.id)).status_code == 403  # no report before the study closes


def test_votes_are_final_and_both_bad_needs_a_reason(as_user, people, study):
    client = as_user(people.reviewer)
    first = study.assignments.filter(rater=people.reviewer).order_by("order").first()
    page = client.post(url("rate", people, first.token), {"choice": "both_bad", "rationale": ""}).content.decode()
    assert "Say briefly why both are bad" in page and not Vote.objects.exists()
    response = client.post(url("rate", people, first.token), {"choice": "left", "rationale": "clearer"})
    assert response["Location"] == url("rate-next", people, study.id)
    page = client.post(url("rate", people, first.token), {"choice": "right"}).content.decode()
    assert "votes are final" in page
    assert Vote.objects.get().choice == "left"


def test_rating_outsiders_wrong_roles_and_other_raters(as_user, people, study):
    token = study.assignments.filter(rater=people.reviewer).first().token
    assert as_user(people.outsider).get(url("rate", people, token)).status_code == 404
    assert as_user(people.annotator).get(url("rate", people, token)).status_code == 403
    assert as_user(people.lead).get(url("rate", people, token)).status_code == 404  # the lead's queue is their own
    assert as_user(people.annotator).post(url("create-study", people), {"name": "x"}).status_code == 403
    assert as_user(people.outsider).get(url("study", people, study.id)).status_code == 404


def test_lead_reads_the_report_and_raters_see_it_after_closing(as_user, people, study, trained):
    for rater in (people.reviewer, people.lead):
        client = as_user(rater)
        for a in Assignment.objects.filter(study=study, rater=rater):
            winner = f"run-{trained.id}"
            client.post(url("rate", people, a.token), {"choice": "left" if a.left == winner else "right"})
    page = as_user(people.lead).get(url("study", people, study.id)).content.decode()
    assert "Leaderboard" in page and "r1" in page and "Krippendorff" in page
    assert "100% of" in page  # consistent on swapped repeats
    as_user(people.lead).post(url("close-study", people, study.id))
    page = as_user(people.reviewer).get(url("study", people, study.id)).content.decode()
    assert "r1" in page and "base model" in page


def test_items_the_tuned_model_lost_go_back_to_curation(as_user, people, study, trained):
    from curation.models import Example

    lost = None
    for a in Assignment.objects.filter(study=study, rater=people.reviewer, repeat_of=""):
        as_user(people.reviewer).post(url("rate", people, a.token), {"choice": "left" if a.left == "base" else "right"})
        lost = lost or a
    page = as_user(people.lead).get(url("study", people, study.id)).content.decode()
    assert "Where a tuned model lost to the base model" in page
    target = url("study-to-curation", people, study.id, lost.item_id)
    assert as_user(people.reviewer).post(target).status_code == 403
    assert f'name="system" value="run-{trained.id}"' in page  # the list names the model that lost
    response = as_user(people.lead).post(target, {"system": f"run-{trained.id}"})
    draft = Example.objects.latest("id")
    assert draft.source.startswith(f"study {study.id}") and draft.status == Example.Status.DRAFT
    tuned = study.outputs.filter(item_id=lost.item_id).exclude(system="base").get()
    assert draft.record().answer() == tuned.text  # the tuned model's answer, to correct
    assert lost.item.record().answer() in draft.comments.get().text  # the reference beside it
    assert response["Location"] == reverse("curation:example", args=[people.project.slug, draft.id])


def test_pairs_with_the_same_text_are_not_shown_or_counted(study, trained):
    """A rater cannot tell two identical answers apart: such a pair gets no assignment, and in a
    study prepared before that rule, a vote on one is left out of the report."""
    from evaluation.models import StudyOutput
    from evaluation.studying import study_votes

    assert not study.assignments.filter(item_id__in=same_items(study, trained)).exists()
    first, second = (
        study.assignments.filter(repeat_of="").exclude(rater=study.assignments.first().rater).order_by("id")[:2]
    )
    StudyOutput.objects.filter(study=study, item_id=first.item_id, system="base").update(text="Same  answer")
    StudyOutput.objects.filter(study=study, item_id=first.item_id, system=f"run-{trained.id}").update(
        text="Same answer\n"
    )
    if first.item_id == second.item_id:
        second = study.assignments.filter(repeat_of="").exclude(item_id=first.item_id).first()
    Vote.objects.create(assignment=first, choice="left")
    Vote.objects.create(assignment=second, choice="right")
    assert [v["item"] for v in study_votes(study)] == [second.item_id]
    from evaluation.studying import report

    (pair,) = report(study)["pairs"]
    assert pair["identical"] == len(same_items(study, trained))  # counted and shown, for neither side
    assert pair["identical"] >= 1


def test_home_pages_say_what_comes_next_for_raters_and_the_lead(as_user, people, study, trained):
    home = reverse("studio:project-home", args=[people.project.slug])
    waiting = study.assignments.filter(rater=people.reviewer, vote__isnull=True).count()
    page = as_user(people.reviewer).get(home).content.decode()
    assert f"Rate “{study.name}”</a>: {waiting} comparisons wait for your vote" in page
    assert "Launch a run" not in page  # not a reviewer's step
    lead = as_user(people.lead).get(home).content.decode()
    assert f"Evaluate {trained.name}" in lead  # finished, never evaluated
    as_user(people.annotator).get(home)  # an annotator's home still renders without the lead's steps
    assert "Evaluate" not in as_user(people.annotator).get(home).content.decode()
