from django import forms

from evaluation.core.judging import JUDGE_KEY_PREFIX


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


class JudgeForm(forms.ModelForm):
    """A judge: a served model with the lead's rubric, or a rule over the metrics."""

    class Meta:
        from evaluation.models import Judge

        model = Judge
        fields = ["name", "kind", "rubric", "rule", "model", "base_url", "api_key_env", "max_new_tokens", "trust_kappa"]
        widgets = {"kind": forms.RadioSelect, "rubric": forms.Textarea(attrs={"rows": 14})}
        labels = {
            "kind": "Kind",
            "model": "Model",
            "base_url": "Server of its own (optional)",
            "api_key_env": "API key variable (optional)",
            "max_new_tokens": "Longest reply (tokens)",
            "trust_kappa": "Trust threshold (lower end of kappa's interval)",
        }

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        from evaluation.core.judging import DEFAULT_RUBRIC, REFERENCE_RULES

        self.project = project
        self.fields["rule"] = forms.ChoiceField(
            choices=[("", "—")] + list(REFERENCE_RULES.items()), required=False, label="Rule (reference judges)"
        )
        if not self.instance.pk and not self.initial.get("rubric"):
            self.initial["rubric"] = DEFAULT_RUBRIC
        runs = project.training_runs.filter(status="succeeded").order_by("-id")
        self.fields["model"].help_text = (
            "On the project's serving backend: base, or run-<id> of a finished run"
            + (f" ({', '.join(f'run-{r.id} = {r.name}' for r in runs[:6])})" if runs else "")
            + ". With a server of its own: the model's name there."
        )
        self.fields["trust_kappa"].min_value = -1
        self.fields["trust_kappa"].max_value = 1

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        others = self.project.judges.filter(name=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(f"The project has a judge named {name!r} already.")
        return name

    def clean_trust_kappa(self):
        value = self.cleaned_data["trust_kappa"]
        if not -1 <= value <= 1:
            raise forms.ValidationError("Kappa runs from -1 to 1; 0.6 is a common bar for substantial agreement.")
        return value

    def clean(self):
        from django.conf import settings

        from evaluation.core.backends import BackendError, refuse_internal_address
        from evaluation.core.judging import RubricError, check_rubric

        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == "reference":
            if not cleaned.get("rule"):
                self.add_error("rule", "A reference judge needs a rule.")
            return cleaned
        if kind != "model":
            return cleaned
        try:
            cleaned["rubric"] = check_rubric(cleaned.get("rubric") or "")
        except RubricError as e:
            self.add_error("rubric", str(e)[0].upper() + str(e)[1:] + ".")
        model = (cleaned.get("model") or "").strip()
        cleaned["model"] = model
        if not model:
            self.add_error("model", "Name the model that judges: base, run-<id>, or its name on the server below.")
        elif not cleaned.get("base_url"):
            run_id = model.removeprefix("run-")
            if model != "base" and not (
                model.startswith("run-")
                and run_id.isdigit()
                and self.project.training_runs.filter(id=int(run_id)).exists()
            ):
                self.add_error(
                    "model", f"{model}: on the project's backend a judge is base or run-<id> of this project's runs."
                )
        key_env = (cleaned.get("api_key_env") or "").strip()
        if key_env and not key_env.startswith(JUDGE_KEY_PREFIX):
            self.add_error(
                "api_key_env",
                f"The workers' variables are not for judges to send: name one that starts with {JUDGE_KEY_PREFIX} "
                f"(e.g. {JUDGE_KEY_PREFIX}OPENAI), set on the workers for this judge's server.",
            )
        if cleaned.get("base_url") and not settings.SERVING_ALLOW_PRIVATE:
            try:
                refuse_internal_address(cleaned["base_url"], trusted_hosts=settings.SERVING_TRUSTED_HOSTS)
            except BackendError as e:
                self.add_error("base_url", str(e))
        return cleaned


class SynthesisForm(forms.Form):
    """A generation recipe: which model, what to generate from, how many."""

    recipe = forms.ChoiceField(widget=forms.RadioSelect, label="Recipe")
    model = forms.CharField(max_length=200, initial="base", help_text="base, or run-<id> of a finished run")
    source = forms.CharField(
        required=False,
        max_length=200,
        label="From the approved examples matching",
        help_text="words as in the example list's search; empty: the newest approved examples",
    )
    limit = forms.IntegerField(initial=20, min_value=1, max_value=100, label="How many of them (at most)")
    count = forms.IntegerField(
        initial=10, min_value=1, max_value=200, label="New examples to generate", help_text="“like these” only"
    )
    vary = forms.CharField(
        required=False, max_length=200, label="Varying", help_text="“like these” only, e.g. product and tone"
    )
    instruction = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="“answer new inputs” only"
    )
    inputs = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="New inputs, one per line",
        help_text="“answer new inputs” only; at most 200",
    )
    max_new_tokens = forms.IntegerField(initial=512, min_value=16, max_value=4096, label="Longest reply (tokens)")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        from evaluation.models import SynthesisJob

        self.project = project
        self.fields["recipe"].choices = SynthesisJob.Recipe.choices

    def clean_model(self):
        model = self.cleaned_data["model"].strip()
        run_id = model.removeprefix("run-")
        if model == "base":
            if self.project.base_model is None:
                raise forms.ValidationError("The project has no base model yet (Settings → Models).")
        elif not (
            model.startswith("run-")
            and run_id.isdigit()
            and self.project.training_runs.filter(id=int(run_id), status="succeeded").exists()
        ):
            raise forms.ValidationError(f"{model}: base, or run-<id> of one of this project's finished runs.")
        return model

    def clean(self):
        from evaluation.core.synthesis import new_inputs

        cleaned = super().clean()
        recipe = cleaned.get("recipe")
        if recipe == "answer":
            if not (cleaned.get("instruction") or "").strip():
                self.add_error("instruction", "Say what the model is asked to do with each input.")
            try:
                lines = new_inputs(cleaned.get("inputs"))
            except ValueError as e:
                self.add_error("inputs", str(e)[0].upper() + str(e)[1:] + ".")
            else:
                if not lines:
                    self.add_error("inputs", "Paste at least one input, one per line.")
        return cleaned
