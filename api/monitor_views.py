"""The monitoring page of a served model: volume, latency, errors and ratings over time, the
completions themselves, and the way from bad answers back to curation."""

import re
from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from api.core.monitoring import PERIODS
from api.models import Feedback, FeedbackRule, ServedCompletion
from api.serving import (
    MAX_SUMMARIZED,
    Checker,
    low_or_corrected,
    needs_curation,
    rule_for,
    summary_for,
    with_latest_rating,
)
from api.serving import make_draft as draft_from
from evaluation.blinding import visible_runs
from studio.access import project_view
from studio.core.charts import Series, time_chart
from studio.models import Action

PAGE = 25
SHOW = {
    "all": "All",
    "low": "Rated low",
    "corrected": "Corrected",
    "errors": "Failed",
    "unrated": "Not rated",
    "drafted": "Made into drafts",
}


def _window(period):
    length, width, _ = PERIODS[period]
    step = width.total_seconds()
    now = timezone.now()
    end = timezone.datetime.fromtimestamp((now.timestamp() // step + 1) * step, tz=timezone.get_current_timezone())
    return end - length, end, width


def _label(at, width):
    local = timezone.localtime(at)
    if width < timedelta(hours=6):
        return local.strftime("%H:%M")
    if width < timedelta(days=1):
        return local.strftime("%d %b %Hh")
    return local.strftime("%d %b")


def _filtered(completions, show, rule):
    if show == "low":
        return low_or_corrected(completions, rule.max_rating or 2, on_correction=False)
    if show == "corrected":
        return low_or_corrected(completions, 0, on_correction=True)
    if show == "errors":
        return completions.filter(status=ServedCompletion.Status.ERROR)
    if show == "unrated":
        return completions.filter(status=ServedCompletion.Status.OK, feedback=None)
    if show == "drafted":
        return completions.exclude(draft=None)
    return completions


def _number(raw, default=0, high=100_000, digits=6):
    """A whole number from a query or form value (ASCII digits only, at most `digits`), else default."""
    match = re.fullmatch(rf"[0-9]{{1,{digits}}}", raw or "")
    return min(int(match.group()), high) if match else default


@project_view(Action.VIEW)
@require_GET
def monitor(request, project, run_id):
    run = get_object_or_404(
        visible_runs(project).select_related("base_model", "dataset_version"), id=run_id, status="succeeded"
    )
    period = request.GET.get("period") if request.GET.get("period") in PERIODS else "7d"
    start, end, width = _window(period)
    rule = rule_for(project)
    in_window = run.served_completions.filter(created_at__gte=start, created_at__lt=end)
    summary, total, capped = summary_for(run, start, end, width, rule.max_rating)
    labels = [_label(b.start, width) for b in summary.buckets]
    charts = [
        time_chart(
            labels,
            [
                Series("answered", [b.requests - b.errors for b in summary.buckets], "blue"),
                Series("failed", [b.errors for b in summary.buckets], "red"),
            ],
            "Requests",
            stacked=True,
        ),
        time_chart(
            labels,
            [
                Series("p50", [b.p50 for b in summary.buckets], "blue"),
                Series("p95", [b.p95 for b in summary.buckets], "brown"),
            ],
            "Latency of answered requests (ms)",
            unit=" ms",
        ),
        time_chart(
            labels,
            [
                Series(
                    "error rate",
                    [100 * b.error_rate if b.error_rate is not None else None for b in summary.buckets],
                    "red",
                )
            ],
            "Error rate (%)",
            unit="%",
        ),
        time_chart(
            labels,
            [Series("mean rating", [b.mean_rating for b in summary.buckets], "green")],
            "Ratings (1 bad – 5 good)",
            top=5,
        ),
    ]
    show = request.GET.get("show") if request.GET.get("show") in SHOW else "all"
    page = _number(request.GET.get("page"), high=10_000)
    one = _number(request.GET.get("completion"), default=None, high=10**15, digits=15)
    listed = run.served_completions.filter(id=one) if one is not None else _filtered(in_window, show, rule)
    rows = list(with_latest_rating(listed).select_related("draft").order_by("-id")[page * PAGE : (page + 1) * PAGE + 1])
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    by_completion = {}
    for f in Feedback.objects.filter(completion__in=rows).select_related("user").order_by("id"):
        by_completion.setdefault(f.completion_id, []).append(f)
    for row in rows:
        row.feedback_given = by_completion.get(row.id, [])
    context = {
        "project": project,
        "run": run,
        "period": period,
        "period_label": PERIODS[period][2].split(",")[0],
        "periods": [(k, v[2]) for k, v in PERIODS.items()],
        "summary": summary,
        "charts": charts,
        "total": total,
        "capped": capped,
        "max_summarized": MAX_SUMMARIZED,
        "show": show,
        "shows": SHOW.items(),
        "rows": rows,
        "page": page,
        "more": more,
        "one": one,
        "rule": rule,
        "waiting": needs_curation(run.served_completions.all(), rule).count(),
        "can_draft": project.membership.can(Action.WRITE_EXAMPLES),
        "can_manage": project.membership.can(Action.MANAGE_PROJECT),
        "here": request.get_full_path(),
    }
    return render(request, "api/monitor.html", context)


def _back(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(fallback)


@project_view(Action.WRITE_EXAMPLES)
@require_POST
def make_draft(request, project, completion_id):
    """One click: a served completion becomes a draft example, linked to where it came from."""
    completion = get_object_or_404(
        ServedCompletion.objects.filter(project=project, run__in=visible_runs(project)), id=completion_id
    )
    if completion.status != ServedCompletion.Status.OK:
        messages.error(request, f"{completion.public_id} failed; there is no answer to curate.")
    else:
        example, created = draft_from(completion, request.user)
        link = reverse("curation:example", args=[project.slug, example.id])
        if created:
            messages.success(request, f"Draft #{example.id} made from {completion.public_id}.")
        else:
            messages.info(request, f"{completion.public_id} is already draft #{example.id}.")
        if request.POST.get("open"):
            return redirect(link)
    return _back(request, reverse("api:monitor", args=[project.slug, completion.run_id]))


MAX_DRAFTS_PER_CLICK = 200


@project_view(Action.WRITE_EXAMPLES)
@require_POST
def make_drafts(request, project, run_id):
    """Every low-rated or corrected completion of a model that has no draft yet becomes one."""
    run = get_object_or_404(visible_runs(project), id=run_id)
    rule = rule_for(project)
    waiting = list(needs_curation(run.served_completions.all(), rule).order_by("id")[: MAX_DRAFTS_PER_CLICK + 1])
    checker = Checker.of(project)
    made = sum(1 for c in waiting[:MAX_DRAFTS_PER_CLICK] if draft_from(c, request.user, checker=checker)[1])
    rest = " More are waiting: click again." if len(waiting) > MAX_DRAFTS_PER_CLICK else ""
    messages.success(
        request,
        f"{made} draft{'s' if made != 1 else ''} made from low-rated or corrected completions; annotators find them among the drafts in Examples.{rest}",
    )
    return _back(request, reverse("api:monitor", args=[project.slug, run.id]))


@project_view(Action.MANAGE_PROJECT)
@require_POST
def feedback_rule(request, project):
    """The lead's rule: which feedback turns a completion into a draft as it arrives (drafts written
    in the lead's name), and which ones the monitoring page's bulk button picks."""
    max_rating = _number(request.POST.get("max_rating"), default=None)
    if max_rating is None or max_rating > 5:
        messages.error(request, "Rating threshold: give a whole number from 0 (no rating makes a draft) to 5.")
        return _back(request, reverse("evaluation:registry", args=[project.slug]))
    FeedbackRule.objects.update_or_create(
        project=project,
        defaults={
            "enabled": request.POST.get("enabled") == "on",
            "max_rating": max_rating,
            "on_correction": request.POST.get("on_correction") == "on",
            "updated_by": request.user,
        },
    )
    rule = FeedbackRule.objects.get(project=project)
    if rule.enabled:
        what = [f"a rating of {rule.max_rating} or less"] if rule.max_rating else []
        what += ["a correction"] if rule.on_correction else []
        messages.success(
            request,
            f"From now on, feedback with {' or '.join(what) or 'nothing (the rule matches no feedback)'} makes a draft in curation.",
        )
    else:
        messages.success(
            request, "Feedback no longer makes drafts by itself; use the buttons on a model's monitoring page."
        )
    return _back(request, reverse("evaluation:registry", args=[project.slug]))
