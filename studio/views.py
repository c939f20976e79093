from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from studio import signals
from studio.access import project_view
from studio.forms import AddMemberForm, ProjectForm, RoleForm
from studio.models import ROLE_SUMMARIES, Action, LastLeadError, Membership, Project, Role


def may_create_projects(user):
    """Staff, and people who already lead a project, may start new ones."""
    return user.is_staff or user.memberships.filter(role=Role.LEAD).exists()


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_required
def project_list(request):
    memberships = request.user.memberships.select_related("project").order_by("project__name")
    return render(
        request,
        "studio/project_list.html",
        {"memberships": memberships, "can_create": may_create_projects(request.user)},
    )


@login_required
def create_project(request):
    if not may_create_projects(request.user):
        raise PermissionDenied("Only staff and project leads may start projects.")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = Project.create_with_lead(lead=request.user, **form.cleaned_data)
        messages.success(request, f"Project “{project.name}” created. You are its lead.")
        return redirect(project)
    return render(request, "studio/create_project.html", {"form": form})


@project_view(Action.VIEW)
def project_home(request, project):
    return render(
        request,
        "studio/project_home.html",
        {
            "project": project,
            "membership": project.membership,
            "members": project.memberships.select_related("user"),
            "action_labels": Action.choices,
            **signals.home_context(request, project),  # the examples, from curation
        },
    )


def _members_context(project, form=None, error="", notice=""):
    return {
        "project": project,
        "members": project.memberships.select_related("user").order_by("user__username"),
        "form": form or AddMemberForm(project=project),
        "roles": Role.choices,
        "roles_help": [(role.label, ROLE_SUMMARIES[role]) for role in Role],
        "error": error,
        "notice": notice,
    }


def _members_response(request, project, form=None, error="", notice=""):
    template = "studio/members.html#members-panel" if request.htmx else "studio/members.html"
    # htmx swaps only 2xx answers, so a form with errors comes back as 200.
    return render(request, template, _members_context(project, form, error, notice))


@project_view(Action.MANAGE_MEMBERS)
def members(request, project):
    return _members_response(request, project)


def _after_member_change(request, project, error="", notice=""):
    """Answer a change on the Members page: the panel for htmx, a redirect otherwise. Someone
    who just gave up their own lead role (or left) is sent where they still have access."""
    own = project.memberships.filter(user=request.user).first()
    if own is None or not own.can(Action.MANAGE_MEMBERS):
        target = reverse("studio:project-home", args=[project.slug]) if own else reverse("studio:project-list")
        messages.info(request, f"You are no longer managing {project.name}." if own else f"You left {project.name}.")
        return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
    if not request.htmx:
        if error:
            messages.error(request, error)
        elif notice:
            messages.success(request, notice)
        return redirect("studio:members", project.slug)
    return _members_response(request, project, error=error, notice=notice)


@project_view(Action.MANAGE_MEMBERS)
@require_POST
def add_member(request, project):
    form = AddMemberForm(request.POST, project=project)
    if not form.is_valid():
        return _members_response(request, project, form=form)
    user = form.cleaned_data["user"]
    try:
        with transaction.atomic():
            membership = Membership.objects.create(project=project, user=user, role=form.cleaned_data["role"])
    except IntegrityError:  # added by someone else a moment ago
        form.add_error("user", f"{user.username} is already a member.")
        return _members_response(request, project, form=form)
    return _after_member_change(
        request, project, notice=f"{user.username} added as {membership.get_role_display().lower()}."
    )


@project_view(Action.MANAGE_MEMBERS)
@require_POST
def change_member_role(request, project, membership_id):
    membership = get_object_or_404(project.memberships.select_related("user"), id=membership_id)
    form = RoleForm(request.POST)
    error = ""
    if not form.is_valid():
        error = f"“{request.POST.get('role', '')}” is not a role; choose lead, annotator or reviewer."
    else:
        try:
            membership.change_role(form.cleaned_data["role"])
        except LastLeadError as e:
            error = str(e)
    role = membership.get_role_display().lower()
    notice = "" if error else f"{membership.user.username} is now {'an' if role[0] in 'aeiou' else 'a'} {role}."
    return _after_member_change(request, project, error, notice)


@project_view(Action.MANAGE_MEMBERS)
@require_POST
def remove_member(request, project, membership_id):
    membership = get_object_or_404(project.memberships.select_related("user"), id=membership_id)
    error = ""
    try:
        membership.leave()
    except LastLeadError as e:
        error = str(e)
    notice = "" if error else f"{membership.user.username} was removed from the project."
    return _after_member_change(request, project, error, notice)


@project_view(Action.MANAGE_PROJECT)
def project_settings(request, project):
    form = ProjectForm(
        request.POST or None,
        initial={"name": project.name, "description": project.description, "self_review": project.self_review},
    )
    if request.method == "POST" and form.is_valid():
        project.name = form.cleaned_data["name"]
        project.description = form.cleaned_data["description"]
        project.self_review = form.cleaned_data["self_review"]
        project.save(update_fields=["name", "description", "self_review"])
        messages.success(request, "Project settings saved.")
        return redirect("studio:project-settings", project.slug)
    return render(request, "studio/project_settings.html", {"project": project, "form": form})
