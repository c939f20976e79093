from django.conf import settings
from django.db import models
from django.utils import timezone


class BaseModel(models.Model):
    """A local model folder registered in a project; the worker inspects it before use."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Checking"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="base_models")
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=1000, help_text="A folder on storage every worker sees.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CHECKING)
    error = models.TextField(blank=True)
    info = models.JSONField(default=dict, blank=True, help_text="What the inspection found (architecture, sizes, template).")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "path"], name="one_registration_per_folder")]

    def __str__(self):
        return self.name

    def record_inspection(self, info=None, error=""):
        """Store an inspection done in this process (the demo seeding does its own)."""
        self.info = info.as_dict() if info else {}
        self.error = error
        self.status = self.Status.FAILED if error else self.Status.READY
        self.checked_at = timezone.now()
        self.save(update_fields=["info", "error", "status", "checked_at"])
