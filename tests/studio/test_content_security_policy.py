"""Every page carries a Content-Security-Policy that forbids inline scripts, and the templates
keep to it (their scripts are files under static/)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def policy(response):
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def test_pages_fragments_and_static_files_carry_the_policy(client, as_user, people):
    responses = [
        client.get(reverse("login")),
        as_user(people.lead).get(reverse("studio:project-list")),
        as_user(people.lead).get(reverse("studio:project-home", args=[people.project.slug])),
        as_user(people.lead).get(reverse("training:run-list", args=[people.project.slug])),
        client.get("/static/studio.css"),
        client.get("/no/such/page/"),
    ]
    for response in responses:
        rules = policy(response)
        assert rules["default-src"] == "'self'"
        assert rules["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
        assert rules["frame-ancestors"] == "'none'"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script element without src
    re.compile(r"\son[a-z]+\s*=", re.I),  # onclick=, onsubmit=, ...
    re.compile(r"\shx-on", re.I),  # htmx's inline handlers need eval
    re.compile(r"javascript:", re.I),
]


def test_no_template_has_inline_script():
    offenders = []
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = path.read_text()
        offenders += [f"{path.name}: {m.group(0)}" for pattern in INLINE for m in pattern.finditer(text)]
    assert offenders == []


def test_a_confirmation_form_asks_through_the_static_script(as_user, people):
    from api.models import ApiToken

    ApiToken.issue(people.lead, "ci")
    page = as_user(people.lead).get(reverse("api:tokens")).content.decode()
    assert 'data-confirm="Revoke ci? Scripts using it stop working at once."' in page
    assert "onsubmit" not in page and "studio.js" in page
    assert "window.confirm(form.dataset.confirm)" in (Path(settings.BASE_DIR) / "static" / "studio.js").read_text()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_the_browser_confirmations_work_and_nothing_breaks_the_policy(page, live_server, people):
    """Chromium enforces the header: a confirmation dismissed sends nothing, accepted sends the
    form, and no page reports a policy violation."""
    from api.models import ApiToken
    from tests.conftest import sign_in

    violations = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    token, _ = ApiToken.issue(people.lead, "ci")
    sign_in(page, live_server, "lena", "pw-lena")
    page.goto(live_server.url + reverse("api:tokens"))
    answers = iter(["dismiss", "accept"])
    page.on("dialog", lambda d: d.dismiss() if next(answers) == "dismiss" else d.accept())
    page.get_by_role("button", name="Revoke").click()
    page.wait_for_timeout(500)
    token.refresh_from_db()
    assert token.revoked_at is None
    page.get_by_role("button", name="Revoke").click()
    page.get_by_text("revoked").first.wait_for()
    token.refresh_from_db()
    assert token.revoked_at is not None
    page.goto(live_server.url + reverse("studio:project-home", args=[people.project.slug]))
    assert violations == []
