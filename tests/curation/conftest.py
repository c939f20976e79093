"""Fixtures shared by the curation view tests."""

import pytest
from django.urls import reverse

from studio.models import Membership, Role


@pytest.fixture
def curation_url(people):
    """curation_url(name, *args) -> the URL of a curation view in the people's project."""

    def build(name, *args, project=None):
        return reverse(f"curation:{name}", args=[(project or people.project).slug, *args])

    return build


@pytest.fixture
def second_annotator(people, django_user_model):
    """Another annotator of the people's project, to show that annotators edit only their own."""
    user = django_user_model.objects.create_user(username="ana", password="pw-ana", email="ana@example.org")
    Membership.objects.create(project=people.project, user=user, role=Role.ANNOTATOR)
    return user


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded import files go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
