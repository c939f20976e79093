from django.conf import settings
from django.db import models


class EvaluationRun(models.Model):
    """Base and tuned outputs for a training run's test split, and their metrics."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="evaluation_runs")
    training_run = models.ForeignKey("training.TrainingRun", on_delete=models.CASCADE, related_name="evaluations")
    split = models.CharField(max_length=12, default="test")
    decoding = models.JSONField(help_text="identical for both sides")
    backend = models.JSONField(help_text="which backend produced the outputs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        return int(100 * self.done / self.total) if self.total else (100 if self.status == self.Status.DONE else 0)


class Generation(models.Model):
    """One output of one side for one test example. Model output is untrusted text."""

    evaluation = models.ForeignKey(EvaluationRun, on_delete=models.CASCADE, related_name="generations")
    item = models.ForeignKey("curation.VersionItem", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    side = models.CharField(max_length=8)  # base or tuned
    text = models.TextField()
    finish_reason = models.CharField(max_length=10)
    prompt_tokens = models.PositiveIntegerField()
    completion_tokens = models.PositiveIntegerField()
    seconds = models.FloatField()
    metrics = models.JSONField(default=dict)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["evaluation", "item", "side"], name="one_generation_per_side")]
        indexes = [models.Index(fields=["evaluation", "item"])]
