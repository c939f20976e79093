import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A personal API token: it acts as its user, in the user's projects, with the user's roles.
    Only a hash is kept; the token itself is shown once, when it is made."""

    PREFIX = "st-"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12, help_text="the first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash(raw):
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @classmethod
    def issue(cls, user, name):
        """(token row, the raw token to show once)."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, digest=cls.hash(raw), hint=raw[:10]), raw

    @classmethod
    def authenticate(cls, raw):
        token = cls.objects.select_related("user").filter(digest=cls.hash(raw), revoked_at=None, user__is_active=True).first()
        if token:
            cls.objects.filter(id=token.id).update(last_used_at=timezone.now())
        return token


class ApiFile(models.Model):
    """A training file uploaded through POST /v1/files, parsed and checked like a browser import."""

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="api_files")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    filename = models.CharField(max_length=255)
    purpose = models.CharField(max_length=40, default="fine-tune")
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    rows = models.PositiveIntegerField(default=0)
    findings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
