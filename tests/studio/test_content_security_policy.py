"""Every page carries a Content-Security-Policy that forbids inline scripts and inline styles, and
the templates keep to it (their scripts and styles are files under static/; the error page's own
<style> is allowed by its hash)."""

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
        assert rules["style-src"].startswith("'self' 'sha256-") and "unsafe-inline" not in rules["style-src"]
        assert rules["frame-ancestors"] == "'none'"


def test_the_error_pages_own_style_is_allowed_by_its_hash_and_only_the_admin_keeps_inline_styles(
    client, django_user_model
):
    import base64
    import hashlib

    from django.template.loader import render_to_string

    style = re.search(r"<style>(.*?)</style>", render_to_string("500.html"), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in policy(client.get("/no/such/page/"))["style-src"].split()
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    assert policy(client.get("/admin/"))["style-src"] == "'self' 'unsafe-inline'"


INLINE = [
    re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),  # a script element without src
    re.compile(r"\son[a-z]+\s*=", re.I),  # onclick=, onsubmit=, ...
    re.compile(r"\shx-on", re.I),  # htmx's inline handlers need eval
    re.compile(r"javascript:", re.I),
]


INLINE_STYLE = [
    re.compile(r"\sstyle\s*=", re.I),  # style="" attributes
    re.compile(r"<style", re.I),
]


def test_no_template_has_inline_script_or_style():
    offenders = []
    for path in sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")):
        text = path.read_text()
        patterns = INLINE + (INLINE_STYLE if path.name != "500.html" else [])
        offenders += [f"{path.name}: {m.group(0)}" for pattern in patterns for m in pattern.finditer(text)]
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
    from curation.models import Example

    for status in ("draft", "draft", "approved"):
        Example.objects.create(project=people.project, author=people.lead, instruction="Triage.", status=status)
    page.goto(live_server.url + reverse("studio:project-home", args=[people.project.slug]))
    bars = page.locator(".bar-cell .bar")
    widths = [
        bars.nth(i).evaluate("b => b.getBoundingClientRect().width / b.parentElement.clientWidth")
        for i in range(bars.count())
    ]
    longest, second = sorted(widths, reverse=True)[:2]
    assert longest > 0.3 and round(longest / second, 1) == 2.0  # 2 drafts, 1 approved: sized from data-bar-width
    page.goto(live_server.url + reverse("api:docs"))
    method = page.locator(".api-docs .method-get").first
    assert method.evaluate("m => getComputedStyle(m).color") == "rgb(255, 255, 255)"  # its rules, from studio.css
    assert violations == []
