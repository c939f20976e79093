"""project_list, create_project, project_home, project_settings, login, healthz."""

import pytest
from django.urls import reverse

from curation.models import Example
from studio.models import Project, Role

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_login(client, people):
    for url in [reverse("studio:project-list"), reverse("studio:project-home", args=[people.project.slug])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_with_wrong_password_says_so(client, people):
    response = client.post(reverse("login"), {"username": "arjun", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_then_project_list(client, people):
    response = client.post(reverse("login"), {"username": "arjun", "password": "pw-arjun"}, follow=True)
    page = response.content.decode()
    assert "Ticket triage" in page
    assert "Other team" not in page
    assert "New project" not in page  # an annotator does not start projects


def test_project_list_offers_new_project_to_leads(as_user, people):
    page = as_user(people.lead).get(reverse("studio:project-list")).content.decode()
    assert "New project" in page


def test_create_project_makes_the_creator_its_lead(as_user, people):
    client = as_user(people.lead)
    response = client.post(
        reverse("studio:create-project"), {"name": "Legal summaries", "description": "Summaries of contracts."}
    )
    project = Project.objects.get(name="Legal summaries")
    assert response["Location"] == reverse("studio:project-home", args=[project.slug])
    assert project.memberships.get(user=people.lead).role == Role.LEAD


def test_create_project_requires_a_name(as_user, people):
    response = as_user(people.lead).post(reverse("studio:create-project"), {"name": "", "description": "x"})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


def test_create_project_is_refused_to_annotators_and_reviewers(as_user, people):
    for user in (people.annotator, people.reviewer):
        assert as_user(user).post(reverse("studio:create-project"), {"name": "Mine"}).status_code == 403
    assert not Project.objects.filter(name="Mine").exists()


def test_project_home_shows_the_role_and_what_it_allows(as_user, people):
    Example.objects.create(
        project=people.project,
        instruction="Triage",
        output="{}",
        status=Example.Status.SUBMITTED,
        author=people.annotator,
    )
    page = as_user(people.reviewer).get(reverse("studio:project-home", args=[people.project.slug])).content.decode()
    assert "Your role: Reviewer" in page
    assert "1 submitted example wait" in page
    assert reverse("studio:members", args=[people.project.slug]) not in page  # no link a reviewer cannot use

    page = as_user(people.lead).get(reverse("studio:project-home", args=[people.project.slug])).content.decode()
    assert "Your role: Lead" in page
    assert reverse("studio:members", args=[people.project.slug]) in page


def test_project_home_is_404_for_outsiders(as_user, people):
    response = as_user(people.outsider).get(reverse("studio:project-home", args=[people.project.slug]))
    assert response.status_code == 404
    assert "Ticket triage" not in response.content.decode()


def test_project_settings_lead_saves(as_user, people):
    url = reverse("studio:project-settings", args=[people.project.slug])
    response = as_user(people.lead).post(url, {"name": "Ticket triage v2", "description": "New words."})
    assert response.status_code == 302
    people.project.refresh_from_db()
    assert (people.project.name, people.project.description) == ("Ticket triage v2", "New words.")


def test_project_settings_outsider_and_wrong_role(as_user, people):
    url = reverse("studio:project-settings", args=[people.project.slug])
    assert as_user(people.outsider).post(url, {"name": "Hacked"}).status_code == 404
    assert as_user(people.annotator).post(url, {"name": "Hacked"}).status_code == 403
    assert as_user(people.reviewer).get(url).status_code == 403
    people.project.refresh_from_db()
    assert people.project.name == "Ticket triage"


def test_healthz_answers(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_admin_works_for_staff(client, django_user_model, people):
    admin = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(admin)
    assert client.get(reverse("admin:studio_project_changelist")).status_code == 200
    assert "Ticket triage" in client.get(reverse("admin:studio_project_changelist")).content.decode()
