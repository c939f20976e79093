import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
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
    rate_limit_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text="requests a minute; empty: the API_RATE_LIMIT_PER_MINUTE setting"
    )

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
        token = (
            cls.objects.select_related("user")
            .filter(digest=cls.hash(raw), revoked_at=None, user__is_active=True)
            .first()
        )
        now = timezone.now()
        if token and (
            token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1)
        ):  # to the minute: one write a minute, not one a request
            cls.objects.filter(id=token.id).update(last_used_at=now)
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
    dataset_version = models.ForeignKey(
        "curation.DatasetVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the version its rows were frozen into by the first job from it; later jobs reuse it",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ServedCompletion(models.Model):
    """One request to /v1/chat/completions or /v1/completions: what was asked, what the model
    answered (untrusted text), how long it took and what it cost; failures are kept too."""

    class Status(models.TextChoices):
        OK = "ok", "Answered"
        ERROR = "error", "Failed"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="served_completions")
    run = models.ForeignKey("training.TrainingRun", on_delete=models.CASCADE, related_name="served_completions")
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.SET_NULL, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    endpoint = models.CharField(max_length=20, help_text="chat.completions or completions")
    messages = models.JSONField(
        default=list, help_text="the conversation sent; for /v1/completions one user turn holding the prompt"
    )
    output = models.TextField(blank=True)
    finish_reason = models.CharField(max_length=20, blank=True)
    prompt_tokens = models.PositiveIntegerField(default=0)
    completion_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.FloatField(default=0)
    status = models.CharField(max_length=5, choices=Status.choices, default=Status.OK)
    error = models.TextField(blank=True)
    draft = models.ForeignKey(
        "curation.Example",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="served_origin",
        help_text="the draft example made from this completion",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["run", "created_at"])]

    @property
    def public_id(self):
        return f"{'chatcmpl' if self.endpoint == 'chat.completions' else 'cmpl'}-{self.id}"

    @property
    def model_id(self):
        return f"run-{self.run_id}"

    def prompt_text(self):
        return self.messages[-1]["content"] if self.messages else ""

    def log(self):
        """Save the row without waiting for the disk: on PostgreSQL it commits asynchronously
        (synchronous_commit off for this transaction only), which spares each completion a WAL
        flush (4-11 ms on a busy machine). A database crash can lose the last fraction of a second
        of log rows; a crash cannot corrupt anything, and the studio's own data is not touched."""
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            self.save()


class Feedback(models.Model):
    """A rating of a served completion (1 bad – 5 good), with the answer it should have been."""

    completion = models.ForeignKey(ServedCompletion, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    rating = models.PositiveSmallIntegerField()
    correction = models.TextField(blank=True)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]


class FeedbackRule(models.Model):
    """A lead's rule for a project: feedback at or under `max_rating`, or with a correction,
    becomes a draft example in curation as it arrives."""

    project = models.OneToOneField("studio.Project", on_delete=models.CASCADE, related_name="feedback_rule")
    enabled = models.BooleanField(default=False)
    max_rating = models.PositiveSmallIntegerField(
        default=2, help_text="ratings at or below this make a draft (0: none)"
    )
    on_correction = models.BooleanField(default=True, help_text="a correction makes a draft whatever the rating")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def matches(self, rating, correction):
        return self.enabled and ((0 < rating <= self.max_rating) or (self.on_correction and bool(correction.strip())))


class RateWindow(models.Model):
    """Requests a token made in one minute: counted with one atomic upsert, so every web process
    shares the limit without another service."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    minute = models.BigIntegerField(help_text="Unix time // 60")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "minute"], name="one_window_per_token_minute")]


class ApiJob(models.Model):
    """What POST /v1/fine_tuning/jobs was given that a training run does not keep itself: the
    validation file and the caller's metadata, returned with the job as OpenAI does."""

    run = models.OneToOneField("training.TrainingRun", on_delete=models.CASCADE, related_name="api_job")
    validation_file = models.CharField(max_length=40, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    result_file = models.ForeignKey(
        ApiFile, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="its metrics as CSV"
    )
