"""The one access check every project view calls first."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from studio.models import Action, Membership


def project_for(request, slug, action=Action.VIEW):
    """The project `slug` with `project.membership` set to the signed-in user's membership.

    A user who is not a member gets 404 (they learn nothing about the project, not even that it
    exists); a member whose role may not do `action` gets 403.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404("No such project.")
    membership = (
        Membership.objects.select_related("project", "project__base_model")
        .filter(project__slug=slug, user=user)
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    if not membership.can(action):
        role = membership.get_role_display().lower()
        raise PermissionDenied(
            f"{'An' if role[0] in 'aeiou' else 'A'} {role} may not {Action(action).label} in this project."
        )
    project = membership.project
    project.membership = membership
    return project
