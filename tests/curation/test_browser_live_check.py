"""An annotator sees the checks while typing, before saving, in Chromium against the live server."""

import pytest

from curation.models import Example, PairFinding
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ORDERS_SQL = (
    "SELECT COUNT(*) FROM orders o JOIN customers c ON c.id = o.customer_id "
    "WHERE c.country = 'Canada' AND o.year = 2023"
)


@pytest.fixture
def orders(people, make_example):
    """A small project of query examples written by the lead, one of which a draft will reword."""
    original = make_example(
        author=people.lead, instruction="How many orders did customers from Canada place in 2023?", output=ORDERS_SQL
    )
    make_example(
        author=people.lead,
        instruction="List the customers who joined in March.",
        output="SELECT name FROM customers WHERE month = 3",
    )
    make_example(
        author=people.lead,
        instruction="What is the average order value in 2024?",
        output="SELECT AVG(total) FROM orders WHERE year = 2024",
    )
    return original


def test_annotator_sees_a_reworded_duplicate_before_saving(page, live_server, people, orders):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(f"{live_server.url}/p/{people.project.slug}/examples/new/")
    checks = page.locator("#findings")
    page.get_by_label("Output").fill(ORDERS_SQL)
    page.get_by_label("Instruction").press_sequentially(
        "In 2023, how many orders were placed by customers from Canada?"
    )
    checks.get_by_text("Checked as typed, not saved yet").wait_for()
    checks.get_by_text("duplicate").wait_for()
    link = checks.get_by_role("link", name=f"#{orders.id}")
    assert link.get_attribute("href") == f"/p/{people.project.slug}/examples/{orders.id}/"
    live = checks.locator("li").inner_text()
    assert Example.objects.count() == 3  # nothing saved while typing
    assert not PairFinding.objects.exists()

    page.get_by_role("button", name="Save Ctrl S").click()
    page.get_by_text("Saved as a draft.").wait_for()
    assert checks.locator("li").inner_text() == live  # Save finds and says the same
    assert "Checked as typed" not in checks.inner_text()
    draft = Example.objects.get(author=people.annotator)
    assert PairFinding.involving([draft.id]).get().kind == "duplicate"


def test_typing_in_a_chat_shows_its_problems_and_clears_them(page, live_server, people, make_example):
    chat = make_example(
        messages=[
            {"role": "user", "content": "Which plan includes phone support, Basic or Pro?"},
            {"role": "assistant", "content": "Only Pro includes phone support; Basic has email support."},
        ]
    )
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(f"{live_server.url}/p/{people.project.slug}/examples/{chat.id}/")
    checks = page.locator("#findings")
    checks.get_by_text("✓ No problems found.").wait_for()
    answer = page.get_by_label("Turn 2", exact=True)
    answer.fill("Pro, call me at ann@example.org")
    checks.locator(".finding-badge", has_text="pii").wait_for()
    answer.fill("Only Pro includes phone support; Basic has email support.")
    checks.get_by_text("✓ No problems found.").wait_for()
    assert "Checked as typed" in checks.inner_text()
    chat.refresh_from_db()
    assert chat.version == 1 and chat.messages[1]["content"].startswith("Only Pro")


def test_clearing_the_text_says_why_nothing_is_checked(page, live_server, people):
    sign_in(page, live_server, "arjun", "pw-arjun")
    page.goto(f"{live_server.url}/p/{people.project.slug}/examples/new/")
    checks = page.locator("#findings")
    instruction = page.get_by_label("Instruction")
    instruction.fill("Help")
    checks.get_by_text("the instruction is vague").wait_for()
    instruction.fill("")
    # the server refuses (400) and studio.js lets the reason replace the panel
    checks.get_by_text("Not checked: Write an instruction and an output.").wait_for()
    assert "vague" not in checks.inner_text()
    assert not Example.objects.exists()
