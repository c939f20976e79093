from pathlib import Path

from django import forms
from django.conf import settings


def model_roots():
    return [Path(r).resolve() for r in settings.MODEL_ROOTS]


def allowed_roots():
    return ", ".join(str(r) for r in model_roots())


class BaseModelForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="How people will see it, e.g. “Llama 3.2 1B Instruct”.")
    path = forms.CharField(max_length=1000, label="Folder", help_text="A model folder (config.json, *.safetensors, tokenizer) on storage the workers share.")

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
            raise forms.ValidationError(f"“{raw[:200]}” cannot be used as a folder ({getattr(e, 'strerror', None) or e}).") from None
        if not any(resolved == root or root in resolved.parents for root in model_roots()):
            raise forms.ValidationError(f"“{raw[:200]}” is outside the folders models may be registered from ({allowed_roots()}).")
        if not is_dir:
            raise forms.ValidationError(f"“{raw[:200]}” does not exist or is not a folder.")
        if self.project.base_models.filter(path=str(resolved)).exists():
            raise forms.ValidationError(f"{resolved} is already registered in this project.")
        return str(resolved)
