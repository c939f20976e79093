from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from studio.core.records import Record
from studio.jobs import BackgroundJob


class ExampleText:
    """The text of an example, or of a version's frozen copy of one: as a Record, and as the
    dict the editor and the diffs compare."""

    CONTENT_FIELDS = ("instruction", "input", "output", "messages", "rejected")

    def record(self):
        if self.messages:
            return Record.chat(self.messages)
        return Record(instruction=self.instruction, input=self.input, output=self.output, rejected=self.rejected)

    def content(self):
        return {name: getattr(self, name) for name in self.CONTENT_FIELDS}


class Example(ExampleText, models.Model):
    """One training pair (instruction, optional input, output), a preference pair (the same with a
    rejected answer beside the chosen output) or a chat of messages."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        REJECTED = "rejected", "Rejected"

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="examples")
    instruction = models.TextField(blank=True)
    input = models.TextField(blank=True)
    output = models.TextField(blank=True)
    messages = models.JSONField(
        null=True, blank=True, help_text="For a chat: [{role, content}, ...]; instruction/input/output stay empty."
    )
    rejected = models.TextField(
        blank=True, help_text="A preference pair's rejected answer (its output is the chosen one); empty otherwise."
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="authored_examples"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviewed_examples"
    )
    version = models.PositiveIntegerField(
        default=1, help_text="Bumped on every save; a save of an older version is refused."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="Set when a lead deletes it; it can be restored."
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where it came from: an import file and line, say.")
    synthetic = models.JSONField(
        null=True,
        blank=True,
        help_text='generated, not written: {"recipe", "model", "job"}; such an example reaches a version only '
        "once a reviewer approved it on its own",
    )
    origin_run_id = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="The training run whose output this draft holds (a correction from an evaluation or a study, a "
        "served completion, a playground reply): hidden from the raters of an open study of that run.",
    )

    class Meta:
        indexes = [
            models.Index(fields=["project", "status", "id"]),
            models.Index(fields=["project", "author", "id"]),
            models.Index(fields=["project", "deleted_at", "id"]),
        ]

    def __str__(self):
        return f"#{self.pk}: {self.prompt_text[:60]}"

    @property
    def prompt_text(self):
        """The instruction, or a chat's first user turn: what a list shows of the example."""
        return self.instruction or self.first_user_turn()

    @property
    def is_chat(self):
        return bool(self.messages)

    def first_user_turn(self):
        for m in self.messages or []:
            if m.get("role") == "user":
                return str(m.get("content") or "")
        return ""

    @property
    def is_preference(self):
        return bool(self.rejected) and not self.messages

    def save_content(self, *, user, expected_version, content, status=None, action="edited"):
        """Save new content if nobody saved since `expected_version`; returns True, or False when
        someone else's save came first (nothing is written then). Every save keeps a revision."""
        changes = {**content, "version": expected_version + 1, "updated_at": timezone.now()}
        if status:
            changes["status"] = status
        with transaction.atomic(savepoint=False):  # inside the editor's transaction: no savepoint needed
            updated = Example.objects.filter(id=self.id, version=expected_version, deleted_at=None).update(**changes)
            if updated != 1:
                return False
            # the row now holds exactly these values: no need to read it back (nor to drop the
            # loaded author and project, which the editor shows next)
            for name, value in changes.items():
                setattr(self, name, value)
            Revision.record(self, user, action)
        return True

    def move_to_trash(self, *, user, action="deleted"):
        """Hide the example from lists and checks; it keeps its history and can be restored."""
        self._change({"deleted_at": timezone.now()}, user, action)

    def restore(self, *, user):
        self._change({"deleted_at": None}, user, "restored")

    def _change(self, changes, user, action):
        with transaction.atomic():
            Example.objects.filter(id=self.id).update(**changes, version=F("version") + 1, updated_at=timezone.now())
            self.refresh_from_db()
            Revision.record(self, user, action)

    def set_status(self, status, *, user, action, expected_version=None):
        """A workflow step (submit, approve, …) that leaves the content alone; bumps the version so
        an editor open elsewhere learns that something changed. With expected_version, it happens
        only if nobody saved since (returns False otherwise)."""
        with transaction.atomic():
            changes = {"status": status, "version": F("version") + 1, "updated_at": timezone.now()}
            if status in (Example.Status.APPROVED, Example.Status.CHANGES_REQUESTED, Example.Status.REJECTED):
                changes.update(reviewer=user, reviewed_at=timezone.now())
            rows = Example.objects.filter(id=self.id)
            if expected_version is not None:
                rows = rows.filter(version=expected_version)
            if rows.update(**changes) != 1:
                return False
            self.refresh_from_db()
            Revision.record(self, user, action)
        return True


class Revision(models.Model):
    """A snapshot of an example after each save or workflow step: nothing anyone wrote is lost."""

    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    instruction = models.TextField(blank=True)
    input = models.TextField(blank=True)
    output = models.TextField(blank=True)
    messages = models.JSONField(null=True, blank=True)
    rejected = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Example.Status.choices)
    redacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    redacted_at = models.DateTimeField(null=True, blank=True)
    redaction = models.CharField(max_length=200, blank=True, help_text="what was removed, e.g. '2 emails, 1 phone'")

    class Meta:
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["example", "version"], name="one_revision_per_version")]

    @classmethod
    def of(cls, example, user, action):
        """The (unsaved) snapshot of `example` as it is now; bulk_create takes a list of them."""
        return cls(
            example=example,
            version=example.version,
            author=user,
            action=action[: cls._meta.get_field("action").max_length],
            status=example.status,
            instruction=example.instruction,
            input=example.input,
            output=example.output,
            messages=example.messages,
            rejected=example.rejected,
        )

    @classmethod
    def record(cls, example, user, action):
        revision = cls.of(example, user, action)
        revision.save()
        return revision


class FormToken(models.Model):
    """The hidden token of one new-example form, stored with the example that form created: the
    same form sent twice (a double click on Save, Ctrl+S pressed three times) creates one example.
    The unique index makes a second insert of the token wait for the first transaction and then
    fail, so even two requests at the same moment create one example."""

    token = models.UUIDField(unique=True)
    example = models.OneToOneField(Example, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)


class ReviewComment(models.Model):
    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        REQUEST_CHANGES = "request_changes", "Asked for changes"
        REJECT = "reject", "Rejected"
        COMMENT = "comment", "Commented"

    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    text = models.TextField(blank=True)
    version = models.PositiveIntegerField(help_text="The example version the comment is about.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]


class FormatRuleSet(models.Model):
    """A project's format rules (see curation/core/rules.py), kept as validated JSON."""

    project = models.OneToOneField("studio.Project", on_delete=models.CASCADE, related_name="format_rules")
    rules = models.JSONField(default=dict)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)


class Finding(models.Model):
    """A problem of one example on its own (format, length, repetition, pii)."""

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="+")
    example = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(max_length=20)  # format, length, repetition, pii
    severity = models.CharField(max_length=10)
    message = models.TextField()
    field = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "kind"])]


class PairFinding(models.Model):
    """Two examples with the same prompt: a duplicate (answers agree) or a contradiction."""

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="+")
    low = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # duplicate or contradiction
    detail = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["low", "high"], name="one_finding_per_pair")]
        indexes = [models.Index(fields=["project", "kind"]), models.Index(fields=["high"])]

    @classmethod
    def involving(cls, example_ids):
        return cls.objects.filter(Q(low_id__in=example_ids) | Q(high_id__in=example_ids))


class SilencedPair(models.Model):
    """A pair a lead marked as intended variation: never reported again."""

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="+")
    low = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="+")
    high = models.ForeignKey(Example, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["low", "high"], name="one_silence_per_pair")]


class ExampleKey(models.Model):
    """Index keys of an example: of its prompt's words (kind "near": prompts one word apart share
    one), of its answer ("ans": the same answer) and of its answer's tokens ("edit": answers one
    value apart share one). Checking one example on save finds its near-identical prompts, and
    those whose answers vouch for them, by an indexed lookup.

    A derived table (the scan rewrites it whole; a 100,000-example project has about a million
    rows): no foreign-key constraints and no index beyond the two lookups, each of which costs
    every bulk insert. Django still deletes the rows of a deleted example or project."""

    project = models.ForeignKey(
        "studio.Project", on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    example = models.ForeignKey(
        Example, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    kind = models.CharField(max_length=4)  # near (prompt words), ans (the answer), edit (the answer, one value apart)
    key = models.BigIntegerField()
    removed = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [models.Index(fields=["project", "kind", "key"]), models.Index(fields=["example"])]


class ExampleVector(models.Model):
    """The sentence embedding of an example's main part (float16 bytes; curation/core/semantic.py),
    so that checking one example on save finds paraphrases without embedding the project."""

    example = models.OneToOneField(Example, on_delete=models.CASCADE, primary_key=True, related_name="+")
    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="+")
    vector = models.BinaryField()
    # the numbers its prompt names (slots.number_key; 0: none, null: stored before it was kept):
    # a check looks for neighbours among the examples naming the same ones
    number_key = models.BigIntegerField(null=True)
    updated_at = models.DateTimeField(default=timezone.now)  # one stamp for all rows of one store() call

    class Meta:
        indexes = [models.Index(fields=["project", "updated_at"])]


class Job(BackgroundJob):
    """A long piece of curation work in Celery (a whole-dataset scan, an import, a freeze, a
    pre-flight, an export) with its progress; state and heartbeat as every job (studio/jobs.py)."""

    class Kind(models.TextChoices):
        SCAN = "scan", "Dataset check"
        IMPORT = "import", "Import"
        FREEZE = "freeze", "Freeze a dataset version"
        PREFLIGHT = "preflight", "Pre-flight"
        EXPORT = "export", "Export a dataset version"
        READINESS = "readiness", "Readiness report"

    TASKS = {
        Kind.SCAN: "curation.tasks.scan_dataset",
        Kind.IMPORT: "curation.tasks.import_file",
        Kind.FREEZE: "curation.tasks.freeze_version",
        Kind.PREFLIGHT: "curation.tasks.preflight_version",
        Kind.EXPORT: "curation.tasks.export_version",
        Kind.READINESS: "curation.tasks.readiness_report",
    }

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="curation_jobs")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    details = models.JSONField(default=dict, blank=True)
    upload = models.FileField(upload_to="imports/%Y/%m/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def task_name(self):
        return self.TASKS[self.kind]

    def finish(self, message, details=None, failed=False):
        """The outcome, with the details the page shows (what was found, what blocks a freeze)."""
        return super().finish(message, failed=failed, details=details or {})


class FrozenError(Exception):
    """Raised on any attempt to change a frozen dataset version."""


class FrozenQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise FrozenError("dataset versions never change; freeze a new version instead")

    def delete(self):
        raise FrozenError("dataset versions are kept; freeze a new version instead")

    def bulk_update(self, *args, **kwargs):
        raise FrozenError("dataset versions never change; freeze a new version instead")


class FrozenModel(models.Model):
    """Written once, never changed: save() of an existing row, update() and delete() all raise.
    The database refuses UPDATEs as well (migration 0006), for any path around the ORM."""

    objects = FrozenQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FrozenError(f"{self._meta.verbose_name} {self.pk} is frozen and cannot change")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"{self._meta.verbose_name} {self.pk} is frozen and cannot be deleted")


class DatasetVersion(FrozenModel):
    """Approved examples frozen into train / validation / test splits."""

    project = models.ForeignKey("studio.Project", on_delete=models.CASCADE, related_name="dataset_versions")
    name = models.CharField(max_length=120)
    note = models.TextField(blank=True)
    content_hash = models.CharField(
        max_length=64, help_text="sha256 of the examples' content; the same content gives the same hash."
    )
    seed = models.IntegerField()
    ratios = models.JSONField(help_text="[train, validation, test]")
    stratify_field = models.CharField(max_length=100, blank=True)
    counts = models.JSONField(help_text="examples per split")
    label_counts = models.JSONField(default=dict, blank=True, help_text="examples per stratum and split")
    synthetic_count = models.PositiveIntegerField(default=0, help_text="examples generated by a model (reviewed)")
    check_summary = models.JSONField(default=dict, blank=True, help_text="open findings among the frozen examples")
    findings_override = models.TextField(blank=True, help_text="why it was frozen although examples carried errors")
    leakage = models.JSONField(
        default=list, blank=True, help_text="the most similar train example of each leaking test example"
    )
    leakage_override = models.TextField(blank=True, help_text="why it was frozen although test examples leak")
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        help_text="the version whose splits this one carried over",
    )
    split_moves = models.JSONField(
        default=list, blank=True, help_text="[{example, from, to, why}]: examples in another split than before"
    )
    resplit_reason = models.TextField(blank=True, help_text="why the lead dealt every example into splits afresh")
    # DO_NOTHING without a constraint: a frozen row cannot be updated, not even to forget a user
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["project", "name"], name="one_version_name_per_project")]

    def __str__(self):
        return f"{self.name} ({self.content_hash[:10]})"


class VersionItem(ExampleText, FrozenModel):
    """A frozen copy of one example in one split."""

    version = models.ForeignKey(DatasetVersion, on_delete=models.CASCADE, related_name="items")
    example = models.ForeignKey(
        Example,
        null=True,
        on_delete=models.DO_NOTHING,
        related_name="+",
        db_constraint=False,
        help_text="the example it was frozen from (which may change or go later)",
    )
    example_version = models.PositiveIntegerField()
    split = models.CharField(max_length=12)
    group = models.PositiveIntegerField(help_text="near-duplicate group; a group is always in one split")
    label = models.CharField(max_length=200, blank=True)
    content_key = models.CharField(max_length=64)
    instruction = models.TextField(blank=True)
    input = models.TextField(blank=True)
    output = models.TextField(blank=True)
    messages = models.JSONField(null=True, blank=True)
    rejected = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["version", "split", "id"])]
