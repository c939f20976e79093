from django.conf import settings
from django.db import models

from studio.jobs import BackgroundJob


class EvaluationRun(BackgroundJob):
    """Base and tuned outputs for a training run's test split, and their metrics. Progress counts
    outputs; state and heartbeat as every job (studio/jobs.py)."""

    task_name = "evaluation.tasks.generate_evaluation"
    task_argument = "evaluation_id"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="evaluation_runs")
    training_run = models.ForeignKey("training.TrainingRun", on_delete=models.CASCADE, related_name="evaluations")
    split = models.CharField(max_length=12, default="test")
    decoding = models.JSONField(help_text="identical for both sides")
    backend = models.JSONField(help_text="which backend produced the outputs")
    summary = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


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


class Study(models.Model):
    """A blind A/B study: raters compare pre-generated outputs of two or more systems. Its status
    is its lifecycle (preparing, open, closed); the work of preparing it is a job of its own,
    StudyPreparation, which holds progress, attempts and why it failed."""

    class Status(models.TextChoices):
        PREPARING = "preparing", "Preparing outputs"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="studies")
    name = models.CharField(max_length=120)
    dataset_version = models.ForeignKey("curation.DatasetVersion", on_delete=models.PROTECT, related_name="+")
    systems = models.JSONField(help_text='[{"key": "base" | "run-<id>", "run_id": id or null}]')
    raters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="studies_to_rate")
    ratings_per_item = models.PositiveIntegerField(default=1)
    repeat_share = models.FloatField(default=0.1)
    max_items = models.PositiveIntegerField(default=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class StudyPreparation(BackgroundJob):
    """Generating every system's outputs for a study and dealing out its assignments (gpu queue).
    Its key is the study's, so the task takes the study's id."""

    task_name = "evaluation.tasks.generate_study_outputs"
    task_argument = "study_id"

    study = models.OneToOneField(Study, on_delete=models.CASCADE, primary_key=True, related_name="preparation")


class StudyOutput(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="outputs")
    item = models.ForeignKey("curation.VersionItem", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    system = models.CharField(max_length=40)
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["study", "item", "system"], name="one_output_per_system")]


class Assignment(models.Model):
    """One comparison for one rater. The token is all a rater's page and URL carry."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="assignments")
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey("curation.VersionItem", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    left = models.CharField(max_length=40)
    right = models.CharField(max_length=40)
    token = models.CharField(max_length=40, unique=True)
    repeat_of = models.CharField(max_length=40, blank=True)
    order = models.PositiveIntegerField()

    class Meta:
        ordering = ["order"]
        indexes = [models.Index(fields=["study", "rater", "order"])]


class Vote(models.Model):
    """Immutable: one per assignment, never changed."""

    class Choice(models.TextChoices):
        LEFT = "left", "A is better"
        RIGHT = "right", "B is better"
        TIE = "tie", "Tie"
        BOTH_BAD = "both_bad", "Both bad"

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="vote")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    rationale = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("votes are immutable")
        super().save(*args, **kwargs)


class ServingBackend(models.Model):
    """Where a project's outputs are generated: local (the local model server at
    LOCAL_MODEL_SERVER_URL, or the worker itself when none is set; never the web process), by TGI,
    or by an OpenAI-compatible server. Adapters are addressed as run-<id> on every backend."""

    class Kind(models.TextChoices):
        LOCAL = "local", "The local model server (transformers + peft, its own process)"
        TGI = "tgi", "Text Generation Inference"
        OPENAI = "openai", "OpenAI-compatible server (vLLM, SGLang, TGI Messages API)"

    project = models.OneToOneField("studio.Project", on_delete=models.CASCADE, related_name="serving_backend")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.LOCAL)
    base_url = models.URLField(blank=True, help_text="e.g. http://tgi:80 or http://vllm:8000/v1")
    base_model_name = models.CharField(
        max_length=200, blank=True, help_text="OpenAI-compatible servers: the served name of the base model"
    )
    timeout = models.PositiveIntegerField(default=60)
    concurrency = models.PositiveIntegerField(default=8)
    updated_at = models.DateTimeField(auto_now=True)


class RegressionPrompt(models.Model):
    """A general prompt kept to catch forgetting: evaluations answer it with both models too."""

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="regression_prompts")
    prompt = models.TextField()
    reference = models.TextField(blank=True, help_text="a good answer, if there is one; metrics compare against it")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class SuccessGate(models.Model):
    """What a tuned model must reach to count as a success, set by the project's lead and shown
    as pass or fail on each evaluation, run page and registry entry."""

    project = models.OneToOneField("studio.Project", on_delete=models.CASCADE, related_name="success_gate")
    metric = models.CharField(max_length=20, default="token_f1")
    min_gain = models.FloatField(default=10.0, help_text="percent better than the base model on the metric")
    min_json_valid = models.FloatField(default=0.0, help_text="percent of valid JSON answers; 0: not asked")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    @property
    def metric_label(self):
        from evaluation.core.metrics import GATE_METRICS

        return GATE_METRICS.get(self.metric, self.metric)

    def result(self, evaluation):
        from evaluation.core.metrics import gate_result

        return gate_result(
            (evaluation.summary or {}).get("metrics", {}), self.metric, self.min_gain, self.min_json_valid
        )


class Judge(models.Model):
    """A judge the lead configures to rate studies as the experts do: a served model asked with a
    rubric, or a rule over the metrics against the reference answer (evaluation/core/judging.py)."""

    class Kind(models.TextChoices):
        MODEL = "model", "A served model, asked with a rubric"
        REFERENCE = "reference", "A rule over the metrics, against the reference answer"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="judges")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MODEL)
    rubric = models.TextField(blank=True, help_text="model judges: the prompt, with {prompt}, {answer_a}, {answer_b}")
    rule = models.CharField(max_length=20, blank=True, help_text="reference judges: which rule")
    model = models.CharField(
        max_length=200,
        blank=True,
        help_text="model judges: base or run-<id> on the project's serving backend, or the model's name on the server below",
    )
    base_url = models.URLField(
        blank=True,
        help_text="an OpenAI-compatible server of the judge's own (…/v1); empty: the project's serving backend",
    )
    api_key_env = models.CharField(
        max_length=80, blank=True, help_text="the environment variable of the workers holding that server's API key"
    )
    max_new_tokens = models.PositiveIntegerField(default=256)
    trust_kappa = models.FloatField(
        default=0.6, help_text="trusted when the lower end of kappa's 95% interval against the experts is at least this"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_judge_name_per_project")]

    def __str__(self):
        return self.name


class JudgeRun(BackgroundJob):
    """A judge rating one study's pairs, or (once trusted) an evaluation's base and tuned answers on
    the whole test split, each pair in both orders (gpu queue: a model judge generates)."""

    task_name = "evaluation.tasks.generate_judge_verdicts"
    task_argument = "judge_run_id"
    requeue_note = "verdicts already stored are kept"

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="runs")
    study = models.ForeignKey(Study, null=True, blank=True, on_delete=models.CASCADE, related_name="judge_runs")
    evaluation = models.ForeignKey(
        EvaluationRun, null=True, blank=True, on_delete=models.CASCADE, related_name="judge_runs"
    )
    config = models.JSONField(default=dict, help_text="the judge's settings when it ran")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class JudgeVerdict(models.Model):
    """One verdict on one pair in one order; the judge's raw reply kept (untrusted text)."""

    run = models.ForeignKey(JudgeRun, on_delete=models.CASCADE, related_name="verdicts")
    item = models.ForeignKey("curation.VersionItem", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    left = models.CharField(max_length=40)
    right = models.CharField(max_length=40)
    choice = models.CharField(max_length=10, blank=True, help_text="left, right, tie; empty: the reply said none")
    raw = models.TextField(blank=True)
    seconds = models.FloatField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "item", "left", "right"], name="one_verdict_per_order")]


class SynthesisJob(BackgroundJob):
    """Candidate examples generated by a served model with a recipe, saved as drafts marked
    synthetic, checked like any draft and reviewed before they count (evaluation/synthesis.py)."""

    class Recipe(models.TextChoices):
        LIKE = "like", "New examples like these, varying what you say"
        PARAPHRASE = "paraphrase", "Paraphrase these instructions (same input and answer)"
        ANSWER = "answer", "Answer these new inputs"

    task_name = "evaluation.tasks.generate_synthetic_drafts"
    task_argument = "job_id"
    requeue_note = "drafts made already are kept"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="synthesis_jobs")
    recipe = models.CharField(max_length=12, choices=Recipe.choices)
    model = models.CharField(max_length=200, help_text="base or run-<id> on the project's serving backend")
    params = models.JSONField(
        default=dict, help_text="the recipe's inputs: example ids, count, what to vary, new inputs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
