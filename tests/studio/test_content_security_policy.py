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
