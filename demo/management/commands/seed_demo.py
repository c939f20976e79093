import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from curation.checking import scan_project
from curation.core.demo_tickets import CATEGORIES, PRIORITIES, make_examples, planted_faults
from curation.core.splits import SplitConfig
from curation.models import Example, FormatRuleSet, Revision
from curation.versions import freeze
from studio.models import Membership, Project, Role
from training.core.model_info import inspect_model_folder, read_recommended
from training.core.tiny_model import ensure_tiny_model
from training.models import BaseModel

DEMO_SLUG = "support-triage"
DEMO_PASSWORD = "studio-demo"
DEMO_USERS = [
    # username, full name, role in the demo project
    ("lead", "Lena Lead", Role.LEAD),
    ("annotator", "Arjun Annotator", Role.ANNOTATOR),
    ("reviewer", "Rosa Reviewer", Role.REVIEWER),
]
# How the 300 demo examples are spread over the review workflow.
STATUS_MIX = [
    (Example.Status.APPROVED, 210),
    (Example.Status.SUBMITTED, 40),
    (Example.Status.DRAFT, 30),
    (Example.Status.CHANGES_REQUESTED, 12),
    (Example.Status.REJECTED, 8),
]


class Command(BaseCommand):
    help = (
        "Create the demo project (users, ~300 support-ticket triage examples, the tiny base model). Safe to run again."
    )

    def handle(self, *args, **options):
        users = self._users()
        project = Project.objects.filter(slug=DEMO_SLUG).first()
        if project is None:
            project = self._project(users)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Created the demo project “{project.name}” with {project.examples.count()} examples."
                )
            )
        else:
            self.stdout.write(f"The demo project “{project.name}” is already there; left as it is.")
        if project.base_model is None:
            self._base_model(project, users["lead"])
            result = scan_project(project)
            self.stdout.write(f"Checked the demo examples: {result['findings']}.")
            version = freeze(
                project,
                users["lead"],
                name="v1 (demo)",
                note="The approved demo tickets, frozen by the seed.",
                config=SplitConfig(seed=0, stratify_field="category"),
                findings_override="Demo data.",
                leakage_override="The demo tickets are made from templates, so many look alike.",
            )
            self.stdout.write(f"Froze dataset version “{version.name}”: {version.counts}.")
        self._print_logins()

    def _users(self):
        User = get_user_model()
        users = {}
        for username, full_name, _role in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": full_name.split()[0],
                    "last_name": full_name.split()[1],
                    "email": f"{username}@studio.example",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True, "email": "admin@studio.example"}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        return users

    @transaction.atomic
    def _project(self, users):
        project = Project.objects.create(
            name="Support ticket triage",
            slug=DEMO_SLUG,
            description="Teach a model to triage customer support tickets: pick the category and priority, and draft a first reply, answering in JSON.",
            created_by=users["lead"],
        )
        for username, _name, role in DEMO_USERS:
            Membership.objects.create(project=project, user=users[username], role=role)
        statuses = [status for status, n in STATUS_MIX for _ in range(n)]
        random.Random(11).shuffle(statuses)
        now = timezone.now()
        reviewed = {Example.Status.APPROVED, Example.Status.CHANGES_REQUESTED, Example.Status.REJECTED}
        examples = list(zip(make_examples(n=len(statuses)), statuses))
        # A few realistic mistakes, so the checks have something to show.
        examples += [(ex, Example.Status.SUBMITTED) for ex in planted_faults(make_examples(n=len(statuses)))]
        created = Example.objects.bulk_create(
            Example(
                project=project,
                instruction=ex.instruction,
                input=ex.input,
                output=ex.output,
                status=status,
                author=users["annotator"],
                reviewer=users["reviewer"] if status in reviewed else None,
                reviewed_at=now if status in reviewed else None,
            )
            for ex, status in examples
        )
        Revision.objects.bulk_create(
            Revision(
                example=e,
                version=1,
                author=users["annotator"],
                action="created",
                status=e.status,
                instruction=e.instruction,
                input=e.input,
                output=e.output,
            )
            for e in created
        )
        FormatRuleSet.objects.create(
            project=project,
            updated_by=users["lead"],
            rules={
                "output_json": True,
                "json_schema": {
                    "type": "object",
                    "required": ["category", "priority", "reply"],
                    "additionalProperties": False,
                    "properties": {
                        "category": {"enum": CATEGORIES},
                        "priority": {"enum": PRIORITIES},
                        "reply": {"type": "string", "minLength": 20},
                    },
                },
                "banned_phrases": ["As an AI language model"],
            },
        )
        return project

    def _base_model(self, project, lead):
        folder = settings.DEMO_MODEL_DIR
        self.stdout.write(f"The tiny demo model in {folder} (built and pretrained once, then reused) …")
        _, built = ensure_tiny_model(folder, report=self.stdout.write)
        if built:
            self.stdout.write("Built and pretrained the tiny demo model.")
        base_model, _ = BaseModel.objects.get_or_create(
            project=project,
            path=str(folder.resolve()),
            defaults={"name": "Tiny Llama (demo, pretrained on support chats)", "added_by": lead},
        )
        base_model.record_inspection(info=inspect_model_folder(folder), recommended=read_recommended(folder))
        project.base_model = base_model
        project.save(update_fields=["base_model"])
        self.stdout.write(f"Registered {folder} as the demo project's base model.")

    def _print_logins(self):
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, full_name, role in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {role.label:<10} {full_name}")
        self.stdout.write(f"  {'admin':<10} {'staff':<10} Django admin at /admin/")
