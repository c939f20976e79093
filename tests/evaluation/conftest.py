"""The evaluation tests use the `trained` fixture from tests/conftest.py, and `study` from here."""

import pytest
from django.urls import reverse

from evaluation.models import Study
from studio.celery import app as celery_app


@pytest.fixture
def study(as_user, people, trained, django_capture_on_commit_callbacks):
    """An open study of the base model against `trained`, rated by the reviewer and the lead."""
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            as_user(people.lead).post(
                reverse("evaluation:create-study", args=[people.project.slug]),
                {
                    "name": "March study",
                    "runs": [trained.id],
                    "raters": [people.reviewer.id, people.lead.id],
                    "ratings_per_item": 2,
                    "repeat_share": 20,
                    "max_items": 10,
                },
            )
    finally:
        celery_app.conf.task_always_eager = False
    study = Study.objects.get()
    assert study.status == Study.Status.OPEN, study.preparation.message
    return study
