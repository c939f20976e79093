from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from studio.access import project_view
from studio.models import Action
from training.forms import BaseModelForm
from training.models import BaseModel
from training.tasks import inspect_base_model


def _enqueue_inspection(base_model):
    transaction.on_commit(lambda: inspect_base_model.delay(base_model_id=base_model.id))


@project_view(Action.MANAGE_PROJECT)
def base_models(request, project):
    form = BaseModelForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                base_model = BaseModel.objects.create(project=project, added_by=request.user, **form.cleaned_data)
                _enqueue_inspection(base_model)
        except IntegrityError:
            form.add_error("path", "This folder was registered a moment ago by someone else.")
        else:
            messages.success(request, f"“{base_model.name}” registered; a worker is checking the folder.")
            return redirect("training:base-models", project.slug)
    models = project.base_models.all()
    return render(request, "training/base_models.html", {"project": project, "form": form, "models": models})


@project_view(Action.MANAGE_PROJECT)
@require_GET
def base_model_card(request, project, base_model_id):
    """The card of one base model; the page polls it while the worker checks the folder."""
    base_model = get_object_or_404(project.base_models, id=base_model_id)
    return render(request, "training/base_models.html#base-model-card", {"project": project, "m": base_model})


@project_view(Action.MANAGE_PROJECT)
@require_POST
def use_base_model(request, project, base_model_id):
    base_model = get_object_or_404(project.base_models, id=base_model_id)
    if base_model.status != BaseModel.Status.READY:
        messages.error(
            request,
            f"“{base_model.name}” cannot be the project's base model until its folder checks out ({base_model.get_status_display().lower()}).",
        )
    else:
        project.base_model = base_model
        project.save(update_fields=["base_model"])
        messages.success(request, f"“{base_model.name}” is now the project's base model.")
    return redirect("training:base-models", project.slug)


@project_view(Action.MANAGE_PROJECT)
@require_POST
def recheck_base_model(request, project, base_model_id):
    base_model = get_object_or_404(project.base_models, id=base_model_id)
    with transaction.atomic():
        BaseModel.objects.filter(id=base_model.id).update(status=BaseModel.Status.CHECKING, error="")
        _enqueue_inspection(base_model)
    base_model.refresh_from_db()
    if request.htmx:
        return render(request, "training/base_models.html#base-model-card", {"project": project, "m": base_model})
    return redirect("training:base-models", project.slug)


@project_view(Action.MANAGE_PROJECT)
@require_POST
def remove_base_model(request, project, base_model_id):
    base_model = get_object_or_404(project.base_models, id=base_model_id)
    if project.base_model_id == base_model.id:
        messages.error(
            request, f"“{base_model.name}” is the project's base model; choose another one before removing it."
        )
    else:
        base_model.delete()
        messages.success(request, f"“{base_model.name}” removed from the project. The folder itself is untouched.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("training:base-models", args=[project.slug]))
    return redirect("training:base-models", project.slug)
