from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q

from studio.models import Project, Role


class ProjectForm(forms.ModelForm):
    """Validates a project's name and description; views copy cleaned_data onto the model."""

    class Meta:
        model = Project
        fields = ["name", "description", "self_review"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class AddMemberForm(forms.Form):
    user = forms.CharField(label="Username or e-mail", max_length=254)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ANNOTATOR)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_user(self):
        value = self.cleaned_data["user"].strip()
        User = get_user_model()
        matches = list(User.objects.filter(Q(username__iexact=value) | Q(email__iexact=value), is_active=True)[:2])
        if not matches:
            raise forms.ValidationError(
                f"No active account is called “{value}”. An administrator creates accounts; then add them here."
            )
        if len(matches) > 1:
            raise forms.ValidationError(f"“{value}” matches more than one account; use the username.")
        user = matches[0]
        existing = self.project.memberships.filter(user=user).first()
        if existing:
            raise forms.ValidationError(f"{user.username} is already a member ({existing.get_role_display().lower()}).")
        return user


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
