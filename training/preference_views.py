"""A preference run (DPO) on the preference pairs a dataset version carries: pairs that
annotators wrote or imported (prompt, chosen, rejected) and reviewers approved."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render

from studio.access import project_view
from studio.models import Action
from training.core.engine import ConfigError
from training.forms import PreferenceRunForm
from training.models import TrainingRun
from training.runs import has_adapter, launch_preferences, version_preference_rows


@project_view(Action.TRAIN)
def train_on_pairs(request, project, version_id):
    """DPO on a version's train-split preference pairs, continuing a finished LoRA run."""
    version = get_object_or_404(project.dataset_versions, id=version_id)
    runs = [
        r
        for r in project.training_runs.filter(status=TrainingRun.Status.SUCCEEDED).select_related(
            "base_model", "dataset_version"
        )
        if has_adapter(r)
    ]
    # a run trained on this version first: the supervised run these pairs were written to improve
    runs.sort(key=lambda r: (r.dataset_version_id != version.id, -r.id))
    pairs = version.items.exclude(rejected="").filter(messages__isnull=True)
    counts = {split: pairs.filter(split=split).count() for split in ("train", "validation", "test")}
    refused = ""
    if not counts["train"]:
        refused = (
            f"“{version.name}” has no preference pairs in its train split: an example becomes one when it has a "
            "rejected answer beside its output (write one in the editor, or import prompt/chosen/rejected lines), "
            "and a version carries the approved ones."
        )
    elif not runs:
        refused = (
            "No finished LoRA run to continue: DPO starts from a supervised adapter. Train a LoRA run first "
            "(a full fine-tune has no adapter)."
        )
    form = PreferenceRunForm(
        request.POST or None,
        runs=runs,
        initial={"name": f"{runs[0].name}-dpo" if runs else "dpo", "parent": str(runs[0].id) if runs else ""},
    )
    if request.method == "POST" and not refused and form.is_valid():
        parent = form.cleaned_data["parent"]
        rows, example_ids = version_preference_rows(version, parent.base_model)
        try:
            run = launch_preferences(
                project,
                request.user,
                name=form.cleaned_data["name"],
                parent=parent,
                rows=rows,
                config_values=form.config_values(),
                lineage={"version_id": version.id, "version_name": version.name, "example_ids": example_ids},
                version=version,
            )
        except ConfigError as e:
            form.add_error(None, str(e))
        else:
            messages.success(request, f"{run.name} queued: DPO on {len(rows)} preference pairs of “{version.name}”.")
            return redirect("training:run", project.slug, run.id)
    context = {"project": project, "version": version, "form": form, "refused": refused, "counts": counts}
    return render(request, "training/train_on_pairs.html", context)
