from pathlib import Path

from django import forms
from django.conf import settings


def model_roots():
    return [Path(r).resolve() for r in settings.MODEL_ROOTS]


def allowed_roots():
    return ", ".join(str(r) for r in model_roots())


class BaseModelForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="How people will see it, e.g. “Llama 3.2 1B Instruct”.")
    path = forms.CharField(
        max_length=1000,
        label="Folder",
        help_text="A model folder (config.json, *.safetensors, tokenizer) on storage the workers share.",
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["path"].help_text += f" Allowed below: {allowed_roots()}."

    def clean_path(self):
        raw = self.cleaned_data["path"].strip()
        path = Path(raw).expanduser()
        if not path.is_absolute():
            raise forms.ValidationError(f"“{raw}” is not an absolute path; write the full folder path.")
        try:
            resolved = path.resolve()
            is_dir = resolved.is_dir()
        except (OSError, RuntimeError) as e:  # name too long, symlink loop, permissions
            raise forms.ValidationError(
                f"“{raw[:200]}” cannot be used as a folder ({getattr(e, 'strerror', None) or e})."
            ) from None
        if not any(resolved == root or root in resolved.parents for root in model_roots()):
            raise forms.ValidationError(
                f"“{raw[:200]}” is outside the folders models may be registered from ({allowed_roots()})."
            )
        if not is_dir:
            raise forms.ValidationError(f"“{raw[:200]}” does not exist or is not a folder.")
        if self.project.base_models.filter(path=str(resolved)).exists():
            raise forms.ValidationError(f"{resolved} is already registered in this project.")
        return str(resolved)


class LaunchForm(forms.Form):
    """A training run with the fine-tuning guides' defaults."""

    name = forms.CharField(max_length=120)
    dataset_version = forms.ModelChoiceField(queryset=None, empty_label=None, label="Dataset version")
    base_model = forms.ModelChoiceField(queryset=None, empty_label=None, label="Base model")
    method = forms.ChoiceField(
        choices=[
            ("lora", "LoRA"),
            ("qlora", "QLoRA (4-bit, GPU workers only)"),
            ("full", "Full fine-tuning (small models)"),
            ("prompt_tuning", "Prompt tuning (a learned soft prompt; the model stays as it is)"),
        ],
        initial="lora",
    )
    num_virtual_tokens = forms.IntegerField(
        initial=20,
        required=False,  # read for prompt tuning only; 20 when left empty
        min_value=1,
        max_value=512,
        label="Soft prompt length (prompt tuning)",
        help_text="Virtual tokens learned before every prompt. Prompt tuning wants a learning rate near 0.03.",
    )
    lora_r = forms.IntegerField(initial=16, min_value=1, max_value=1024, label="LoRA rank r")
    lora_alpha = forms.IntegerField(initial=32, min_value=1, label="LoRA alpha")
    lora_dropout = forms.FloatField(initial=0.05, min_value=0, max_value=0.99, label="LoRA dropout")
    target_modules = forms.CharField(initial="all-linear", help_text="all-linear, or names such as q_proj,v_proj")
    learning_rate = forms.FloatField(initial=2e-4, min_value=1e-8, max_value=0.5)
    lr_scheduler = forms.ChoiceField(
        choices=[(s, s) for s in ("cosine", "linear", "constant", "constant_with_warmup")],
        initial="cosine",
        label="Scheduler",
    )
    warmup_ratio = forms.FloatField(initial=0.1, min_value=0, max_value=0.99, label="Warmup (share of steps)")
    epochs = forms.FloatField(initial=3, min_value=0.01, max_value=100)
    batch_size = forms.IntegerField(initial=8, min_value=1, max_value=1024)
    grad_accum = forms.IntegerField(initial=1, min_value=1, max_value=1024, label="Gradient accumulation")
    weight_decay = forms.FloatField(initial=0.0, min_value=0)
    max_grad_norm = forms.FloatField(initial=1.0, min_value=0.0001, label="Max gradient norm")
    max_length = forms.IntegerField(initial=1024, min_value=16, max_value=131072, label="Max sequence length")
    packing = forms.BooleanField(
        required=False, help_text="Pack short examples together: fewer padding tokens, faster epochs."
    )
    seed = forms.IntegerField(initial=0)
    eval_steps = forms.IntegerField(initial=0, min_value=0, help_text="0: evaluate about ten times per run")
    early_stopping_patience = forms.IntegerField(
        initial=3, min_value=0, help_text="Stop after this many evaluations without improvement (0: never)"
    )
    devices = forms.IntegerField(
        initial=1, min_value=1, max_value=64, label="GPUs", help_text="More than one runs with torchrun (DDP)"
    )

    CONFIG_FIELDS = (
        "method",
        "num_virtual_tokens",
        "lora_r",
        "lora_alpha",
        "lora_dropout",
        "target_modules",
        "learning_rate",
        "lr_scheduler",
        "warmup_ratio",
        "epochs",
        "batch_size",
        "grad_accum",
        "weight_decay",
        "max_grad_norm",
        "max_length",
        "packing",
        "seed",
        "eval_steps",
        "early_stopping_patience",
        "devices",
    )

    RECOMMENDED_NOTE = "Recommended for this model."

    def __init__(self, *args, project, base_model=None, **kwargs):
        """base_model: the model whose recommended settings the form starts from (default: the
        project's base model)."""
        super().__init__(*args, **kwargs)
        self.fields["dataset_version"].queryset = project.dataset_versions.all()
        self.fields["base_model"].queryset = project.base_models.filter(status="ready")
        base_model = base_model or project.base_model
        self.recommended = {}
        if base_model is not None:
            self.fields["base_model"].initial = base_model.id
            self.recommended = {k: v for k, v in base_model.recommended.items() if k in self.CONFIG_FIELDS}
        for name, value in self.recommended.items():
            field = self.fields[name]
            field.initial = value
            field.help_text = f"{field.help_text} {self.RECOMMENDED_NOTE}".strip()

    def clean_num_virtual_tokens(self):
        value = self.cleaned_data.get("num_virtual_tokens")
        return 20 if value is None else value

    def config_values(self):
        return {name: self.cleaned_data[name] for name in self.CONFIG_FIELDS}


class PreferenceRunForm(forms.Form):
    """A DPO run on preference pairs (a closed study's votes, or a dataset version's pairs),
    continuing the LoRA adapter of a finished run."""

    name = forms.CharField(max_length=120)
    parent = forms.ChoiceField(label="Continue the run", help_text="its LoRA adapter is where DPO starts from")
    beta = forms.FloatField(
        initial=0.1, min_value=0.001, max_value=10, help_text="lower lets the model move further from where it starts"
    )
    dpo_loss = forms.ChoiceField(
        label="Loss",
        initial="sigmoid",
        choices=[
            ("sigmoid", "DPO (sigmoid)"),
            ("ipo", "IPO"),
            ("hinge", "hinge (SLiC)"),
            ("robust", "robust DPO (noisy votes)"),
            ("kto", "KTO (each answer judged on its own, trl's KTOTrainer)"),
        ],
    )
    epochs = forms.FloatField(initial=2, min_value=0.1, max_value=20)
    learning_rate = forms.FloatField(initial=5e-5, min_value=1e-8, max_value=1e-2, label="Learning rate")

    def __init__(self, *args, runs, **kwargs):
        super().__init__(*args, **kwargs)
        self.runs = {str(r.id): r for r in runs}
        self.fields["parent"].choices = [(str(r.id), r.name) for r in runs]

    def clean_parent(self):
        return self.runs[self.cleaned_data["parent"]]

    def config_values(self):
        """The run's settings: the form's, the rest as the parent run trained (its length and rank)."""
        d = self.cleaned_data
        return {
            "beta": d["beta"],
            "dpo_loss": d["dpo_loss"],
            "epochs": d["epochs"],
            "learning_rate": d["learning_rate"],
            "batch_size": 4,
            "early_stopping_patience": 0,
            "max_length": d["parent"].config.get("max_length", 1024),
            "lora_r": d["parent"].config.get("lora_r", 16),
        }
