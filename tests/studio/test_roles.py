import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from studio.access import project_for
from studio.models import Action, LastLeadError, Membership, Project, Role


def request_as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.mark.django_db
def test_each_role_may_do_exactly_its_actions(people):
    assert project_for(request_as(people.lead), people.project.slug, Action.MANAGE_MEMBERS) == people.project
    assert (
        project_for(request_as(people.annotator), people.project.slug, Action.WRITE_EXAMPLES).membership.role
        == Role.ANNOTATOR
    )
    assert project_for(request_as(people.reviewer), people.project.slug, Action.RATE).membership.role == Role.REVIEWER
    with pytest.raises(PermissionDenied, match="annotator may not review examples"):
        project_for(request_as(people.annotator), people.project.slug, Action.REVIEW)
    with pytest.raises(PermissionDenied):
        project_for(request_as(people.reviewer), people.project.slug, Action.WRITE_EXAMPLES)
    with pytest.raises(PermissionDenied):
        project_for(request_as(people.reviewer), people.project.slug, Action.TRAIN)


@pytest.mark.django_db
def test_outsiders_and_unknown_projects_get_404(people):
    with pytest.raises(Http404):
        project_for(request_as(people.outsider), people.project.slug)
    with pytest.raises(Http404):
        project_for(request_as(people.lead), "no-such-project")


@pytest.mark.django_db
def test_staff_status_does_not_open_a_project(people, django_user_model):
    staff = django_user_model.objects.create_user("sam", is_staff=True)
    with pytest.raises(Http404):
        project_for(request_as(staff), people.project.slug)


@pytest.mark.django_db
def test_project_slugs_stay_unique(people):
    again = Project.create_with_lead(name="Ticket triage", description="", lead=people.lead)
    assert again.slug == "ticket-triage-2"
    assert again.memberships.get().role == Role.LEAD


@pytest.mark.django_db
def test_the_last_lead_cannot_step_down_or_leave(people):
    lead_membership = Membership.objects.get(project=people.project, user=people.lead)
    with pytest.raises(LastLeadError, match="only lead"):
        lead_membership.change_role(Role.ANNOTATOR)
    with pytest.raises(LastLeadError):
        lead_membership.leave()
    reviewer_membership = Membership.objects.get(project=people.project, user=people.reviewer)
    reviewer_membership.change_role(Role.LEAD)
    lead_membership.change_role(Role.ANNOTATOR)
    lead_membership.refresh_from_db()
    assert lead_membership.role == Role.ANNOTATOR
