"""A lead keeps one example of a duplicate cluster from the check report, in Chromium."""

import pytest

from curation.models import Example
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROMPT = {"instruction": "Summarise the refund policy.", "input": "Order 5512, paid by card."}


def copies(make_example, n):
    return [make_example(**PROMPT, output="Refunds are issued within 14 days.") for _ in range(n)]


def test_lead_sees_all_five_copies_and_keeps_the_fourth(page, live_server, people, make_example):
    members = copies(make_example, 5)
    bystander = make_example(instruction="Translate to French.", input="Good night.", output="Bonne nuit.")
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/checks/?kind=duplicate")
    cluster = page.locator("section.cluster")
    cluster.get_by_text("5 examples that ask the same thing").wait_for()
    cards = cluster.locator("article")
    assert cards.count() == 5
    assert [cards.nth(i).locator("header a").inner_text() for i in range(5)] == [f"#{e.id}" for e in members]
    assert "more." not in cluster.inner_text()

    kept = members[3]
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    cards.nth(3).get_by_role("button", name="Keep this one").click()
    others = [f"#{e.id}" for e in members if e != kept]
    others = ", ".join(others[:-1]) + f" and {others[-1]}"
    page.get_by_text(f"Kept #{kept.id}; moved {others} to the trash.").wait_for()
    assert asked == [f"Keep #{kept.id} and move {others} to the trash?"]
    assert set(Example.objects.filter(deleted_at__isnull=False).values_list("id", flat=True)) == {
        e.id for e in members if e != kept
    }
    assert Example.objects.filter(id__in=[kept.id, bystander.id], deleted_at=None).count() == 2
    page.get_by_text("No duplicates found.").wait_for()


def test_a_copy_saved_after_the_page_was_drawn_stops_keep_one(page, live_server, people, make_example):
    members = copies(make_example, 3)
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/checks/?kind=duplicate")
    page.get_by_text("3 examples that ask the same thing").wait_for()
    late = copies(make_example, 1)[0]  # an annotator saves a fourth copy meanwhile
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("section.cluster article").first.get_by_role("button", name="Keep this one").click()
    page.get_by_text(
        f"Nothing was moved: this cluster changed since the page was shown (#{late.id} joined it)"
    ).wait_for()
    assert not Example.objects.filter(deleted_at__isnull=False).exists()
    # the page drawn again shows the fourth, and keeping one now moves all three others
    page.get_by_text("4 examples that ask the same thing").wait_for()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("section.cluster article").first.get_by_role("button", name="Keep this one").click()
    page.get_by_text(
        f"Kept #{members[0].id}; moved #{members[1].id}, #{members[2].id} and #{late.id} to the trash."
    ).wait_for()


def test_lead_marks_a_contradiction_as_intended_with_a_reason_then_reports_it_again(
    page, live_server, people, make_example
):
    eu = make_example(**PROMPT, output="Refunds are issued within 14 days.")
    us = make_example(**PROMPT, output="Refunds are issued within 30 days.")
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/checks/?kind=contradiction")
    page.get_by_text("2 examples that ask the same thing, with answers that disagree").wait_for()
    # one click only opens the form: nothing is silenced until the lead confirms
    page.get_by_text("Intended variation…").click()
    page.get_by_label("Why they differ on purpose").fill("EU and US stores have different terms.")
    page.get_by_role("button", name=f"Stop reporting #{eu.id} and #{us.id}").click()
    page.get_by_text(f"#{eu.id} and #{us.id} marked as intended variation").wait_for()
    page.get_by_text("No contradictions found.").wait_for()

    page.get_by_role("link", name="Intended variation (1)").click()
    row = page.locator("table.silenced-pairs tbody tr")
    row.get_by_text("EU and US stores have different terms.").wait_for()
    row.get_by_role("button", name="Report again").click()
    page.get_by_text(
        f"#{eu.id} and #{us.id} will be reported again; the checks find them a contradiction pair"
    ).wait_for()
    page.get_by_text("No pair is marked as intended variation.").wait_for()
    page.get_by_role("link", name="Contradictions").click()
    page.get_by_text("2 examples that ask the same thing, with answers that disagree").wait_for()
