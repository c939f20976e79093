"""Curation's part of a project's home page: the examples by status and the reader's own work.
Connected to studio.signals.project_home in CurationConfig.ready."""

from django.db.models import Count

from curation.models import Example, Finding, PairFinding


def home_context(sender, request, project, **kwargs):
    counts = dict(project.examples.filter(deleted_at=None).values_list("status").annotate(n=Count("id")).order_by())
    mine = project.examples.filter(author=request.user, deleted_at=None)
    return {
        "statuses": [(label, counts.get(value, 0)) for value, label in Example.Status.choices],
        "total_examples": sum(counts.values()),
        "my_examples": mine.count(),
        "my_todo": mine.filter(status=Example.Status.CHANGES_REQUESTED).count(),
        "open_errors": (
            Finding.objects.filter(project=project, severity="error").count()
            + PairFinding.objects.filter(project=project, kind="contradiction").count()
        ),
        "waiting_review": counts.get(Example.Status.SUBMITTED, 0),
        "unfrozen": _unfrozen(project, counts.get(Example.Status.APPROVED, 0)),
    }


def _unfrozen(project, approved):
    """Approved examples the latest version does not hold (what the next freeze would add)."""
    latest = project.dataset_versions.order_by("-created_at", "-id").first()
    if latest is None:
        return approved
    return (
        project.examples.filter(status=Example.Status.APPROVED, deleted_at=None)
        .exclude(id__in=latest.items.exclude(example_id=None).values("example_id"))
        .count()
    )
