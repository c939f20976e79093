"""project_view: the one access check in front of every project view."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.views.decorators.http import require_POST

from studio.access import project_view
from studio.models import Action, Role

pytestmark = pytest.mark.django_db


@project_view(Action.REVIEW)
def review_view(request, project, example_id):
    """A view as the apps write them: it sees the project, never the slug."""
    return HttpResponse(f"{project.slug} {project.membership.role} {example_id}")


@project_view(Action.WRITE_EXAMPLES)
@require_POST
def write_view(request, project):
    return HttpResponse("written")


def call(view, user, slug, method="get", **kwargs):
    request = getattr(RequestFactory(), method)("/p/somewhere/")
    request.user = user
    return view(request, slug=slug, **kwargs)


def test_a_member_whose_role_may_do_the_action_gets_the_project_with_its_membership(people):
    response = call(review_view, people.reviewer, people.project.slug, example_id=7)
    assert response.content.decode() == f"{people.project.slug} {Role.REVIEWER} 7"
    assert call(review_view, people.lead, people.project.slug, example_id=7).status_code == 200


def test_anonymous_users_are_sent_to_sign_in_as_on_every_page(people):
    response = call(review_view, AnonymousUser(), people.project.slug, example_id=7)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_an_outsider_and_an_unknown_project_get_404(people):
    with pytest.raises(Http404):
        call(review_view, people.outsider, people.project.slug, example_id=7)
    with pytest.raises(Http404):
        call(review_view, people.lead, "no-such-project", example_id=7)


def test_a_member_whose_role_may_not_gets_403_naming_role_and_action(people):
    with pytest.raises(PermissionDenied, match="^An annotator may not review examples in this project.$"):
        call(review_view, people.annotator, people.project.slug, example_id=7)
    with pytest.raises(PermissionDenied, match="^A reviewer may not write and edit examples in this project.$"):
        call(write_view, people.reviewer, people.project.slug, method="post")


def test_access_is_checked_before_the_method_so_a_wrong_method_tells_an_outsider_nothing(people):
    with pytest.raises(Http404):
        call(write_view, people.outsider, people.project.slug)
    assert call(write_view, people.annotator, people.project.slug).status_code == 405
    assert call(write_view, people.annotator, people.project.slug, method="post").content == b"written"


def test_fragment_endpoints_are_guarded_like_their_pages(as_user, people):
    target = reverse("studio:members", args=[people.project.slug])
    assert as_user(people.outsider).get(target, HTTP_HX_REQUEST="true").status_code == 404
    response = as_user(people.reviewer).get(target, HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    assert "A reviewer may not manage members in this project." in response.content.decode()
    response = as_user(people.lead).get(target, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode() and people.annotator.username in response.content.decode()


def test_a_signed_out_browser_asking_for_a_project_page_is_sent_to_sign_in(client, people):
    response = client.get(reverse("studio:project-home", args=[people.project.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def project_routes(patterns, prefix=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from project_routes(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and route.startswith("p/<slug:slug>/"):
            yield route, entry.callback


def test_every_view_under_a_project_url_is_wrapped_by_project_view():
    routes = list(project_routes(get_resolver().url_patterns))
    assert len(routes) > 60  # the walk reaches every app's project pages
    unguarded = [route for route, view in routes if getattr(view, "project_action", None) not in Action.values]
    assert unguarded == []
