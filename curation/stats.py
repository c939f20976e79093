"""Numbers about a project's examples for the statistics page."""

from django.db.models import Count
from django.db.models.functions import Length

from curation.models import Example, Finding, PairFinding
from studio.core.prompts import histogram


def bars(bins):
    """SVG bar geometry for [(low, high, count)]: [(x, y, height, low, high, count)] in a 100-high box."""
    peak = max((c for _, _, c in bins), default=0) or 1
    out = []
    for i, (low, high, count) in enumerate(bins):
        height = round(98 * count / peak, 1)
        out.append((i * 10 + 1, round(100 - height, 1), height, low, high, count))
    return out


def project_stats(project):
    live = Example.objects.filter(project=project, deleted_at=None)
    by_status = dict(live.values_list("status").annotate(n=Count("id")).order_by())
    by_author = {}
    for username, status, n in live.values_list("author__username", "status").annotate(n=Count("id")).order_by():
        row = by_author.setdefault(username or "(removed)", {"total": 0})
        row[status] = n
        row["total"] += n
    lengths = {}
    for field in ("instruction", "input", "output"):
        values = list(live.annotate(n=Length(field)).values_list("n", flat=True))
        values = [v for v in values if v]
        lengths[field] = {
            "count": len(values),
            "bars": bars(histogram(values)),
            "median": sorted(values)[len(values) // 2] if values else 0,
            "max": max(values, default=0),
        }
    findings = dict(Finding.objects.filter(project=project).values_list("kind").annotate(n=Count("id")).order_by())
    findings.update(
        {
            f"{k} pairs": n
            for k, n in PairFinding.objects.filter(project=project)
            .values_list("kind")
            .annotate(n=Count("id"))
            .order_by()
        }
    )
    latest = project.dataset_versions.first()
    return {
        "total": sum(by_status.values()),
        "by_status": [(label, by_status.get(value, 0)) for value, label in Example.Status.choices],
        "by_author": sorted(by_author.items(), key=lambda kv: -kv[1]["total"]),
        "lengths": lengths,
        "findings": sorted(findings.items()),
        "latest_version": latest,
    }
