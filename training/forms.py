from pathlib import Path

from django import forms
from django.conf import settings


class BaseModelForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="How people will see it, e.g. “Llama 3.2 1B Instruct”.")
    path = forms.CharField(max_length=1000, label="Folder", help_text="A model folder (config.json, *.safetensors, tokenizer) on storage the workers share.")

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_path(self):
        raw = self.cleaned_data["path"].strip()
        path = Path(raw).expanduser()
        if not path.is_absolute():
            raise forms.ValidationError(f"“{raw}” is not an absolute path; write the full folder path.")
        resolved = path.resolve()
        roots = [Path(r).resolve() for r in settings.MODEL_ROOTS]
        if not any(resolved == root or root in resolved.parents for root in roots):
            allowed = ", ".join(str(r) for r in roots)
            raise forms.ValidationError(f"{resolved} is outside the folders models may be registered from ({allowed}); an administrator sets STUDIO_MODEL_ROOTS.")
        if not resolved.is_dir():
            raise forms.ValidationError(f"{resolved} does not exist or is not a folder.")
        if self.project.base_models.filter(path=str(resolved)).exists():
            raise forms.ValidationError(f"{resolved} is already registered in this project.")
        return str(resolved)
