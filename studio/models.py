from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils.text import slugify


class Role(models.TextChoices):
    LEAD = "lead", "Lead"
    ANNOTATOR = "annotator", "Annotator"
    REVIEWER = "reviewer", "Reviewer"


class Action(models.TextChoices):
    """What a member may try to do in a project; every view names one."""

    VIEW = "view", "see the project"
    WRITE_EXAMPLES = "write_examples", "write and edit examples"
    REVIEW = "review", "review examples"
    RATE = "rate", "rate blind A/B pairs"
    MANAGE_MEMBERS = "manage_members", "manage members"
    MANAGE_PROJECT = "manage_project", "change project settings"
    TRAIN = "train", "launch training runs"
    EVALUATE = "evaluate", "run evaluations and open studies"


ROLE_ACTIONS = {
    Role.LEAD: frozenset(Action),
    Role.ANNOTATOR: frozenset({Action.VIEW, Action.WRITE_EXAMPLES}),
    Role.REVIEWER: frozenset({Action.VIEW, Action.REVIEW, Action.RATE}),
}

ROLE_SUMMARIES = {
    Role.LEAD: "Sets format rules and the base model, freezes dataset versions, launches and "
    "compares training runs, opens A/B studies and manages members.",
    Role.ANNOTATOR: "Writes and edits instruction/output pairs, sees checks as they save, "
    "and submits examples for review.",
    Role.REVIEWER: "Approves, rejects or asks for changes on submitted examples, and rates "
    "blind A/B pairs of model outputs.",
}


class Project(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    base_model = models.ForeignKey(
        "training.BaseModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The model this project fine-tunes, unless a run names another.",
    )
    self_review = models.BooleanField(
        default=False,
        verbose_name="Reviewers may approve their own examples",
        help_text="Off: every example is reviewed by someone other than its author, in the queue and in the editor alike.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("studio:project-home", args=[self.slug])

    @classmethod
    def create_with_lead(cls, *, name, description, lead, self_review=False):
        """A new project whose creator is its first lead; the slug is made unique (a
        concurrent creation of the same name takes the next number)."""
        base = slugify(name)[:120] or "project"
        taken = set(cls.objects.filter(slug__startswith=base).values_list("slug", flat=True))
        n = 1
        while True:
            slug = base if n == 1 else f"{base}-{n}"
            n += 1
            if slug in taken:
                continue
            try:
                with transaction.atomic():
                    project = cls.objects.create(
                        name=name, slug=slug, description=description, self_review=self_review, created_by=lead
                    )
                    Membership.objects.create(project=project, user=lead, role=Role.LEAD)
                return project
            except IntegrityError:
                taken.add(slug)


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user} ({self.role}) in {self.project}"

    def can(self, action):
        return action in ROLE_ACTIONS[Role(self.role)]

    def _guard_last_lead(self):
        leads = Membership.objects.select_for_update().filter(project=self.project, role=Role.LEAD)
        if set(leads.values_list("id", flat=True)) == {self.id}:
            raise LastLeadError(
                f"{self.user.username} is the only lead of {self.project.name}; make someone else a lead first."
            )

    def change_role(self, role):
        """Give this member another role; the last lead of a project stays a lead."""
        with transaction.atomic():
            if role != Role.LEAD:
                self._guard_last_lead()
            self.role = role
            self.save(update_fields=["role"])

    def leave(self):
        """Remove this member from the project; the last lead cannot leave."""
        with transaction.atomic():
            self._guard_last_lead()
            self.delete()

    @property
    def actions(self):
        """The action names this member may do, for showing only the links that will work."""
        return {action.value for action in ROLE_ACTIONS[Role(self.role)]}

    @property
    def summary(self):
        return ROLE_SUMMARIES[Role(self.role)]


class LastLeadError(Exception):
    """Raised when a change would leave a project without a lead."""
