"""python manage.py launch_run PROJECT --dataset-version NAME --base-model NAME [--lora-r 16 ...]

Queues a training run exactly as the launch form does (the form shows this command line)."""

from dataclasses import fields

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from studio.models import Project, Role
from training.core.engine import ConfigError, TrainConfig
from training.runs import launch


class Command(BaseCommand):
    help = "Queue a training run on a frozen dataset version (same checks as the launch form)."

    def add_arguments(self, parser):
        parser.add_argument("project", help="the project's slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--dataset-version", required=True, help="dataset version name")
        parser.add_argument("--base-model", required=True, help="registered base model name")
        parser.add_argument("--user", help="username recorded as the launcher (default: the project's first lead)")
        for f in fields(TrainConfig):
            if f.name == "base_model":
                continue
            flag = f"--{f.name.replace('_', '-')}"
            if f.type is bool or isinstance(f.default, bool):
                parser.add_argument(flag, action="store_true", default=None)
            else:
                parser.add_argument(flag, type=type(f.default), default=None)

    def handle(self, *args, **options):
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"no project with the slug {options['project']!r}")
        version = project.dataset_versions.filter(name=options["dataset_version"]).first()
        if version is None:
            raise CommandError(f"{project.slug} has no dataset version called {options['version']!r}")
        base_model = project.base_models.filter(name=options["base_model"], status="ready").first()
        if base_model is None:
            raise CommandError(f"{project.slug} has no ready base model called {options['base_model']!r}")
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None or not project.memberships.filter(user=user, role=Role.LEAD).exists():
                raise CommandError(f"{options['user']!r} is not a lead of {project.slug}")
        else:
            user = project.memberships.filter(role=Role.LEAD).first().user
        values = {
            f.name: options[f.name]
            for f in fields(TrainConfig)
            if f.name != "base_model" and options.get(f.name) is not None
        }
        values = {**base_model.recommended, **values}  # the model's recommended settings, as the form starts from
        try:
            run = launch(
                project, user, name=options["name"], version=version, base_model=base_model, config_values=values
            )
        except ConfigError as e:
            raise CommandError(str(e)) from None
        self.stdout.write(self.style.SUCCESS(f"Queued run {run.id} “{run.name}”: {run.output_dir}"))
