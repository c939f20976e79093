import json

import pytest
from django.core.management import call_command

from curation.models import Example
from studio.models import Project, Role
from training.models import BaseModel

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_a_working_demo_and_is_idempotent(tiny_model_dir, capsys, client):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Demo logins (password for all: studio-demo)" in out
    project = Project.objects.get(slug="support-triage")
    roles = dict(project.memberships.values_list("user__username", "role"))
    assert roles == {"lead": Role.LEAD, "annotator": Role.ANNOTATOR, "reviewer": Role.REVIEWER}
    assert 250 <= project.examples.count() <= 350
    assert project.examples.filter(status=Example.Status.APPROVED).count() > 150
    assert project.examples.filter(status=Example.Status.SUBMITTED).exists()
    first = project.examples.first()
    assert set(json.loads(first.output)) == {"category", "priority", "reply"}
    assert project.base_model.status == BaseModel.Status.READY
    assert project.base_model.info["architecture"] == "LlamaForCausalLM"

    call_command("seed_demo")
    assert "already there" in capsys.readouterr().out
    assert Project.objects.filter(slug="support-triage").count() == 1
    assert project.examples.count() == Example.objects.count()
    assert BaseModel.objects.count() == 1

    from django.http import HttpRequest

    # django-axes watches sign-ins and needs the request
    assert client.login(request=HttpRequest(), username="annotator", password="studio-demo")
