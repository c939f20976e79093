from django.conf import settings
from django.db import models


class Example(models.Model):
    """One training pair: instruction, optional input, output."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="examples")
    instruction = models.TextField()
    input = models.TextField(blank=True)
    output = models.TextField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="authored_examples")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_examples")
    version = models.PositiveIntegerField(default=1, help_text="Bumped on every save; a stale save is refused.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "status", "id"])]

    def __str__(self):
        return f"#{self.pk}: {self.instruction[:60]}"
