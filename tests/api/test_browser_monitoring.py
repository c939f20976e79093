"""A production script asks a tuned model and sends feedback with the openai client; the lead
watches the model's monitoring page in the browser and turns the corrected answer into a draft."""

import pytest

from api.models import ApiToken

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_feedback_from_production_becomes_a_draft_from_the_monitoring_page(live_server, page, people, trained):
    from openai import OpenAI

    from tests.conftest import sign_in

    _, raw = ApiToken.issue(people.lead, "production app")
    client = OpenAI(base_url=live_server.url + "/v1", api_key=raw, max_retries=0)
    model = f"run-{trained.id}"
    answers = [
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}], max_tokens=8)
        for text in ("My parcel is late.", "I was charged twice.")
    ]
    correction = '{"category": "billing", "priority": "high"}'
    # the openai client has no feedback method; its generic post sends ours
    sent = client.post(
        "/feedback",
        body={
            "completion_id": answers[1].id,
            "rating": 1,
            "correction": correction,
            "comment": "double charge is billing",
        },
        cast_to=object,
    )
    assert sent["object"] == "feedback" and sent["draft_example"] is None
    client.post("/feedback", body={"completion_id": answers[0].id, "rating": 5}, cast_to=object)

    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(f"{live_server.url}/p/{people.project.slug}/models/{trained.id}/monitor/")
    counts = page.locator(".counts")
    assert "2 requests" in " ".join(counts.inner_text().split())
    assert "3.0 mean of 2 ratings" in " ".join(counts.inner_text().split())
    assert page.locator("figure.time-chart svg").count() == 4
    page.get_by_role("link", name="Corrected").click()
    row = page.locator(f"#c{answers[1].id.split('-')[1]}")
    assert "double charge is billing" in row.inner_text()
    row.get_by_role("button", name="Make a draft").click()
    assert "made from " + answers[1].id in page.locator(".messages").inner_text()
    page.locator(f"#c{answers[1].id.split('-')[1]}").get_by_role("link", name="#").first.click()
    # the draft holds the conversation with the corrected answer, and leads back
    turns = [t.input_value() for t in page.locator("textarea").all()]
    assert turns[:2] == ["I was charged twice.", correction]
    assert page.get_by_role("link", name="see the served completion").is_visible()
