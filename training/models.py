from dataclasses import fields
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from studio.jobs import BackgroundJob


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
    info = models.JSONField(
        default=dict, blank=True, help_text="What the inspection found (architecture, sizes, template)."
    )
    recommended = models.JSONField(
        default=dict,
        blank=True,
        help_text="Launch settings that suit this model (TrainConfig names), read from the folder's studio_recommended.json; the launch form starts from them.",
    )
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "path"], name="one_registration_per_folder")]

    def __str__(self):
        return self.name

    def record_inspection(self, info=None, error="", recommended=None):
        """Store an inspection done in this process (the demo seeding does its own)."""
        self.info = info.as_dict() if info else {}
        self.recommended = recommended or {}
        self.error = error
        self.status = self.Status.FAILED if error else self.Status.READY
        self.checked_at = timezone.now()
        self.save(update_fields=["info", "recommended", "error", "status", "checked_at"])

    def launch_defaults(self):
        """The launch settings a run of this model starts from: the guides' defaults
        (TrainConfig), with this model's recommendations over them."""
        from training.core.engine import TrainConfig

        defaults = {f.name: f.default for f in fields(TrainConfig) if f.name != "base_model"}
        return {**defaults, **{k: v for k, v in self.recommended.items() if k in defaults}}


class TrainingRun(BackgroundJob):
    """A fine-tuning run of a base model on a frozen dataset version. Its progress (done of
    total) counts optimizer steps; state, heartbeat and attempts as every job (studio/jobs.py)."""

    task_name = "training.tasks.train_run"
    task_argument = "run_id"
    requeue_note = "it resumes from its last checkpoint"
    resumes = True

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="training_runs")
    name = models.CharField(max_length=120)
    version_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="what people call the tuned model (e.g. support-v2); unique in the project; the registry shows the run's name when empty",
    )
    dataset_version = models.ForeignKey("curation.DatasetVersion", on_delete=models.PROTECT, related_name="runs")
    base_model = models.ForeignKey(BaseModel, on_delete=models.PROTECT, related_name="runs")
    config = models.JSONField(help_text="training/core/engine.py TrainConfig, as launched")
    eta_seconds = models.PositiveIntegerField(null=True, blank=True)
    tokens_per_second = models.FloatField(null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    log_tail = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    output_dir = models.CharField(max_length=1000, blank=True)
    training_file = models.CharField(max_length=40, blank=True, help_text="the API file it was launched from, if any")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
        help_text="a preference run: the supervised run whose adapter it continues",
    )
    lineage = models.JSONField(
        default=dict,
        blank=True,
        help_text='a preference run: {"study_id", "study_name", "pairs", "counts"} it learned from',
    )
    model_deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="set by DELETE /v1/models/{id}: no longer served; its files are kept"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                models.F("project"),
                Lower("version_name"),
                condition=~models.Q(version_name=""),
                name="one_model_version_name_per_project",
            ),
        ]

    def __str__(self):
        return self.name


class AdapterMerge(BackgroundJob):
    """Merging a finished LoRA run's adapter into its base model (a GPU worker writes the folder)."""

    task_name = "training.tasks.merge_run_adapter"
    task_argument = "merge_id"

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="merges")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class ArtifactArchive(BackgroundJob):
    """A zip of one artifact of a finished run (adapter, model, merged model or best checkpoint)
    with the run's settings in studio_run.json, built by a worker for a lead to download. The
    file lives under MEDIA_ROOT/archives/ (served only through the download view, which checks
    the right); a newer archive of the same artifact replaces it, and a periodic task removes
    archives older than KEEP."""

    task_name = "training.tasks.build_artifact_archive"
    task_argument = "archive_id"
    KEEP = timedelta(days=1)
    FOLDER = "archives"

    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="archives")
    artifact = models.CharField(max_length=20, help_text="adapter, model, merged or best")
    path = models.CharField(max_length=500, blank=True, help_text="the zip, relative to MEDIA_ROOT, once built")
    size = models.PositiveBigIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def file(self):
        """The zip on disk, or None before it is built."""
        return Path(settings.MEDIA_ROOT) / self.path if self.path else None

    @property
    def filename(self):
        return f"{self.run.project.slug}-run{self.run_id}-{self.artifact}.zip"

    def remove(self):
        """Delete the zip (if any) and this row."""
        if self.file is not None:
            self.file.unlink(missing_ok=True)
        self.delete()


class MetricPoint(models.Model):
    run = models.ForeignKey(TrainingRun, on_delete=models.CASCADE, related_name="points")
    step = models.PositiveIntegerField()
    epoch = models.FloatField(null=True)
    loss = models.FloatField(null=True)
    eval_loss = models.FloatField(null=True)
    learning_rate = models.FloatField(null=True)
    grad_norm = models.FloatField(null=True, help_text="the gradients' norm before clipping")
    tokens_seen = models.BigIntegerField(null=True, help_text="training tokens seen so far")
    tokens_per_second = models.FloatField(null=True)
    created_at = models.DateTimeField(null=True, default=timezone.now, help_text="when the worker reported it")

    class Meta:
        ordering = ["step", "id"]
        indexes = [models.Index(fields=["run", "step"])]
