from django import forms


class StudyForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Raters see this name: do not put model names in it.")
    runs = forms.ModelMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text="Compared with each other and with the base model, on their version's test split.",
    )
    raters = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    ratings_per_item = forms.IntegerField(min_value=1, max_value=10, initial=1, label="Ratings per item")
    repeat_share = forms.IntegerField(
        min_value=0, max_value=50, initial=10, label="Repeated items with sides swapped (%)"
    )
    max_items = forms.IntegerField(min_value=1, max_value=1000, initial=50, label="Items (at most)")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        from studio.models import Role
        from training.models import TrainingRun

        self.fields["runs"].queryset = project.training_runs.filter(
            status__in=[TrainingRun.Status.SUCCEEDED, TrainingRun.Status.CANCELLED]
        ).select_related("dataset_version")
        self.fields["raters"].queryset = (
            get_user_model()
            .objects.filter(memberships__project=project, memberships__role__in=[Role.REVIEWER, Role.LEAD])
            .order_by("username")
        )

    def clean(self):
        cleaned = super().clean()
        runs = cleaned.get("runs") or []
        if runs:
            if len({r.dataset_version_id for r in runs}) > 1 or len({r.base_model_id for r in runs}) > 1:
                raise forms.ValidationError(
                    "The runs must share one dataset version and one base model, so the same prompts go to the same base."
                )
        raters = cleaned.get("raters") or []
        if raters and cleaned.get("ratings_per_item") and cleaned["ratings_per_item"] > len(raters):
            self.add_error(
                "ratings_per_item",
                f"{cleaned['ratings_per_item']} ratings per item need at least as many raters (you chose {len(raters)}).",
            )
        return cleaned


class ServingBackendForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("local", "The local model server (transformers + peft, its own process)"),
            ("tgi", "Text Generation Inference"),
            ("openai", "OpenAI-compatible server (vLLM, SGLang, TGI Messages API)"),
        ]
    )
    base_url = forms.URLField(
        required=False,
        label="Server address",
        help_text="e.g. http://tgi:80, or http://vllm:8000/v1 for an OpenAI-compatible server",
    )
    base_model_name = forms.CharField(
        required=False,
        max_length=200,
        label="Served name of the base model",
        help_text="OpenAI-compatible servers only",
    )
    timeout = forms.IntegerField(min_value=1, max_value=3600, initial=60, label="Timeout per request (seconds)")
    concurrency = forms.IntegerField(min_value=1, max_value=256, initial=8, label="Requests in flight")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") in ("tgi", "openai") and not cleaned.get("base_url"):
            self.add_error("base_url", "A server needs its address.")
        if cleaned.get("kind") == "openai" and not cleaned.get("base_model_name"):
            self.add_error("base_model_name", "Name the base model as the server serves it (its --served-model-name).")
        return cleaned
