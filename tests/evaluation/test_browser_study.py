"""A reviewer completes five votes in Chromium, and the lead reads the report."""

import pytest
from django.urls import reverse

from evaluation.models import Study, Vote
from studio.celery import app as celery_app
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_reviewer_votes_five_times_and_the_lead_reads_the_report(page, live_server, people, trained, django_user_model):
    for user in (people.lead, people.reviewer):
        user.set_password("pw")
        user.save()
    celery_app.conf.task_always_eager = True
    try:
        sign_in(page, live_server, people.lead.username, "pw")
        page.goto(live_server.url + reverse("evaluation:create-study", args=[people.project.slug]))
        page.get_by_label("Name").fill("Blind round 1")
        page.get_by_label(trained.name).check()
        page.get_by_label(people.reviewer.username).check()
        page.get_by_label("Items (at most)").fill("6")
        page.get_by_role("button", name="Create the study").click()
        page.get_by_text("Open", exact=True).first.wait_for(timeout=60_000)  # the status, not the rule
    finally:
        celery_app.conf.task_always_eager = False
    study = Study.objects.get()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, people.reviewer.username, "pw")
    page.goto(live_server.url + reverse("evaluation:study-list", args=[people.project.slug]))
    page.get_by_role("link", name="Start rating").click()
    for n in range(5):
        assert (
            page.get_by_role("heading", name="A", exact=True).is_visible()
            and page.get_by_role("heading", name="B", exact=True).is_visible()
        )
        if n == 2:
            page.get_by_role("button", name="Both bad").click()
            assert "Say briefly why both are bad" in page.get_by_role("alert").inner_text()
            page.get_by_label("Why? (optional; required for “both bad”)").fill("Neither answers in JSON.")
            page.get_by_role("button", name="Both bad").click()
        else:
            page.get_by_role("button", name="A is better" if n % 2 else "B is better").click()
    assert Vote.objects.filter(assignment__study=study, assignment__rater=people.reviewer).count() == 5
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, people.lead.username, "pw")
    page.goto(live_server.url + reverse("evaluation:study", args=[people.project.slug, study.id]))
    assert page.get_by_text("5 of").first.is_visible()
    assert page.get_by_role("heading", name="Leaderboard (Bradley-Terry, base model = 1000)").is_visible()
    assert page.get_by_role("cell", name=trained.name).first.is_visible()
    assert page.get_by_role("heading", name="Agreement between raters").is_visible()
    # the report's interval bars are drawn from data attributes: nothing breaks the style policy
    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.reload()
    point = page.locator(".interval-bar .point").first
    point.wait_for()
    assert point.evaluate("p => p.style.left.endsWith('%')")
    assert violations == []
