"""Who may do what in a project: the one access check in front of every project view.

A project view is written as

    @project_view(Action.TRAIN)
    @require_POST
    def cancel_run(request, project, run_id):
        run = get_object_or_404(project.training_runs, id=run_id)
        ...

The decorator signs the user in the way every page does (anonymous users are sent to the login
page), finds the project named by the URL's `slug`, answers 404 to a user who is not a member and
403 to a member whose role may not do the action, and calls the view with the project in place of
the slug (`project.membership` is the user's membership). Fragment (htmx) endpoints use it too.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from studio.models import Action, Membership


def require(membership, action, doing=""):
    """Raise 403, naming the role and what was refused, unless `membership` may do `action`.
    `doing` says what the view does when the action's own label would mislead ("move examples to
    the trash" rather than "change project settings")."""
    if not membership.can(action):
        role = membership.get_role_display().lower()
        raise PermissionDenied(
            f"{'An' if role[0] in 'aeiou' else 'A'} {role} may not {doing or Action(action).label} in this project."
        )


def project_for(request, slug, action=Action.VIEW, doing=""):
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
    require(membership, action, doing)
    project = membership.project
    project.membership = membership
    return project


def project_view(action, doing=""):
    """Decorate a view of a project page: `view(request, slug, ...)` in the URL conf becomes
    `view(request, project, ...)` once the user is known to be a member who may do `action`.

    The access check runs before any other decorator below it (such as `require_POST`), so an
    outsider learns nothing from a wrong method either. A view that allows more on POST than on
    GET names the lesser action here and calls `require(project.membership, ...)` for the other.
    `doing` names what the view does, for the refusal (see `require`).
    """
    action = Action(action)

    def decorate(view):
        @wraps(view)
        def checked(request, slug, *args, **kwargs):
            return view(request, project_for(request, slug, action, doing), *args, **kwargs)

        wrapper = login_required(checked)
        wrapper.project_action = action  # how tests/studio/test_access.py finds every guarded view
        return wrapper

    return decorate
