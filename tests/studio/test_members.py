"""members, add_member, change_member_role, remove_member."""

import pytest
from django.urls import reverse

from studio.models import Membership, Role

pytestmark = pytest.mark.django_db


def url(name, people, *args):
    return reverse(f"studio:{name}", args=[people.project.slug, *args])


def membership(people, user):
    return Membership.objects.get(project=people.project, user=user)


def test_lead_sees_the_member_list(as_user, people):
    page = as_user(people.lead).get(url("members", people)).content.decode()
    for name in ("lena", "arjun", "rosa"):
        assert name in page
    assert "otto" not in page


def test_members_page_outsider_and_wrong_roles(as_user, people):
    assert as_user(people.outsider).get(url("members", people)).status_code == 404
    assert as_user(people.annotator).get(url("members", people)).status_code == 403
    assert as_user(people.reviewer).get(url("members", people)).status_code == 403


def test_add_member_by_username_or_email(as_user, people, django_user_model):
    newcomer = django_user_model.objects.create_user("nia", email="nia@example.org")
    client = as_user(people.lead)
    response = client.post(url("add-member", people), {"user": "NIA@example.org", "role": Role.REVIEWER})
    assert response.status_code == 302
    assert membership(people, newcomer).role == Role.REVIEWER


def test_add_member_htmx_returns_the_panel(as_user, people, django_user_model):
    django_user_model.objects.create_user("nia")
    response = as_user(people.lead).post(
        url("add-member", people), {"user": "nia", "role": Role.ANNOTATOR}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.startswith('\n<div id="members-panel">') or page.lstrip().startswith('<div id="members-panel">')
    assert "<html" not in page
    assert "nia" in page


def test_add_member_explains_unknown_and_duplicate_people(as_user, people):
    client = as_user(people.lead)
    page = client.post(url("add-member", people), {"user": "ghost", "role": Role.ANNOTATOR}).content.decode()
    assert "No active account is called “ghost”" in page
    page = client.post(url("add-member", people), {"user": "arjun", "role": Role.REVIEWER}).content.decode()
    assert "arjun is already a member (annotator)" in page
    assert membership(people, people.annotator).role == Role.ANNOTATOR


def test_add_member_outsider_and_wrong_role(as_user, people):
    for user, status in [(people.outsider, 404), (people.annotator, 403), (people.reviewer, 403)]:
        response = as_user(user).post(url("add-member", people), {"user": user.username, "role": Role.LEAD})
        assert response.status_code == status
    assert not Membership.objects.filter(project=people.project, user=people.outsider).exists()
    assert membership(people, people.annotator).role == Role.ANNOTATOR


def test_change_role(as_user, people):
    target = membership(people, people.annotator)
    response = as_user(people.lead).post(
        url("change-member-role", people, target.id), {"role": Role.REVIEWER}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "arjun is now a reviewer." in response.content.decode()
    target.refresh_from_db()
    assert target.role == Role.REVIEWER


def test_change_role_keeps_the_last_lead(as_user, people):
    own = membership(people, people.lead)
    page = (
        as_user(people.lead)
        .post(url("change-member-role", people, own.id), {"role": Role.ANNOTATOR}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "only lead of Ticket triage" in page
    own.refresh_from_db()
    assert own.role == Role.LEAD


def test_change_role_rejects_unknown_roles(as_user, people):
    target = membership(people, people.annotator)
    page = (
        as_user(people.lead)
        .post(url("change-member-role", people, target.id), {"role": "owner"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "“owner” is not a role" in page


def test_change_role_outsider_wrong_role_and_foreign_membership(as_user, people):
    target = membership(people, people.annotator)
    assert (
        as_user(people.outsider).post(url("change-member-role", people, target.id), {"role": Role.LEAD}).status_code
        == 404
    )
    assert (
        as_user(people.annotator).post(url("change-member-role", people, target.id), {"role": Role.LEAD}).status_code
        == 403
    )
    # A lead of this project cannot reach a membership of another project through it.
    foreign = Membership.objects.get(project=people.other_project)
    assert (
        as_user(people.lead).post(url("change-member-role", people, foreign.id), {"role": Role.ANNOTATOR}).status_code
        == 404
    )
    target.refresh_from_db()
    foreign.refresh_from_db()
    assert (target.role, foreign.role) == (Role.ANNOTATOR, Role.LEAD)


def test_remove_member(as_user, people):
    target = membership(people, people.reviewer)
    response = as_user(people.lead).post(url("remove-member", people, target.id))
    assert response.status_code == 302
    assert not Membership.objects.filter(id=target.id).exists()


def test_remove_member_keeps_the_last_lead(as_user, people):
    own = membership(people, people.lead)
    response = as_user(people.lead).post(url("remove-member", people, own.id), follow=True)
    assert "only lead" in response.content.decode()
    assert Membership.objects.filter(id=own.id).exists()


def test_remove_member_outsider_and_wrong_role(as_user, people):
    target = membership(people, people.reviewer)
    assert as_user(people.outsider).post(url("remove-member", people, target.id)).status_code == 404
    assert as_user(people.reviewer).post(url("remove-member", people, target.id)).status_code == 403
    assert as_user(people.lead).get(url("remove-member", people, target.id)).status_code == 405
    assert Membership.objects.filter(id=target.id).exists()


def test_a_lead_who_steps_down_is_sent_to_the_project_home(as_user, people):
    change = membership(people, people.reviewer)
    client = as_user(people.lead)
    client.post(url("change-member-role", people, change.id), {"role": Role.LEAD})
    own = membership(people, people.lead)
    response = client.post(url("change-member-role", people, own.id), {"role": Role.ANNOTATOR}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("studio:project-home", args=[people.project.slug])
    assert client.get(url("members", people)).status_code == 403


def test_a_lead_who_leaves_is_sent_to_the_project_list(as_user, people):
    change_role_to_lead = membership(people, people.reviewer)
    client = as_user(people.lead)
    client.post(url("change-member-role", people, change_role_to_lead.id), {"role": Role.LEAD})
    own = membership(people, people.lead)
    response = client.post(url("remove-member", people, own.id))
    assert response["Location"] == reverse("studio:project-list")
    assert client.get(reverse("studio:project-home", args=[people.project.slug])).status_code == 404
