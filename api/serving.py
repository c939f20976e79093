"""Served completions in the database: feedback on them, and drafts in curation made from the
low-rated or corrected ones (one click on the monitoring page, or the lead's rule)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from api.models import Feedback, FeedbackRule, ServedCompletion
from curation import checking, drafts
from studio.core.records import Record


def give_feedback(completion, user, rating, correction="", comment=""):
    """Record feedback; when the project's rule asks for it, the completion becomes a draft,
    written in the name of the lead who set the rule. Returns (feedback, the draft or None)."""
    feedback = Feedback.objects.create(
        completion=completion, user=user, rating=rating, correction=correction, comment=comment
    )
    rule = FeedbackRule.objects.filter(project_id=completion.project_id).select_related("updated_by").first()
    draft = None
    if rule and rule.matches(rating, correction) and completion.status == ServedCompletion.Status.OK:
        draft, _ = make_draft(completion, rule.updated_by, by_rule=True)
    return feedback, draft


@dataclass
class Checker:
    """The project's rules and token counter, fetched once for many drafts."""

    rules: object
    count_tokens: object

    @classmethod
    def of(cls, project):
        from curation.checking import project_rules, token_counter

        return cls(project_rules(project), token_counter(project))


def make_draft(completion, user, by_rule=False, checker=None):
    """(draft example, created?) for a served completion: the conversation it answered, and as
    the answer the latest correction given, else the model's own output for an annotator to fix.
    A completion makes at most one draft (a deleted draft may be made again)."""
    with transaction.atomic():
        locked = (
            ServedCompletion.objects.select_for_update(of=("self",))
            .select_related("project", "draft")
            .get(id=completion.id)
        )
        if locked.draft is not None and locked.draft.deleted_at is None:
            return locked.draft, False
        latest = locked.feedback.select_related("user").order_by("-id").first()
        corrected = locked.feedback.exclude(correction="").order_by("-id").first()
        answer = corrected.correction if corrected else locked.output
        rated = f", rated {latest.rating}/5 by {latest.user.username if latest.user else 'someone'}" if latest else ""
        said = next((f.comment for f in locked.feedback.exclude(comment="").order_by("-id")[:1]), "")
        rated += f": “{said}”" if said else ""
        source = f"served completion {locked.public_id} of run-{locked.run_id}{rated}"
        if locked.endpoint == "chat.completions":
            record = Record.chat([*locked.messages, {"role": "assistant", "content": answer}])
        else:
            record = Record(instruction=locked.prompt_text(), output=answer)
        action = "from served feedback (rule)" if by_rule else "from served feedback"
        example = drafts.new_draft(
            locked.project, user, record, source=source, action=action, origin_run_id=locked.run_id
        )
        locked.draft = example
        locked.save(update_fields=["draft"])
    if checker:
        checking.check_example(example, rules=checker.rules, count_tokens=checker.count_tokens)
    else:
        checking.check_example(example)
    return example, True


def with_latest_rating(completions):
    """Each completion annotated with its latest rating (`latest_rating`, None when unrated)."""
    latest = Feedback.objects.filter(completion=OuterRef("pk")).order_by("-id").values("rating")[:1]
    return completions.annotate(latest_rating=Subquery(latest))


def low_or_corrected(completions, max_rating, on_correction=True):
    """Completions whose latest rating is at or below max_rating (0: none by rating), or that
    were given a correction."""
    wanted = Q(pk__in=[])
    if max_rating:
        wanted |= Q(latest_rating__lte=max_rating)
    if on_correction:
        wanted |= Q(Exists(Feedback.objects.filter(completion=OuterRef("pk")).exclude(correction="")))
    rated = completions.filter(
        Exists(Feedback.objects.filter(completion=OuterRef("pk")))
    )  # first: most completions get no feedback
    return with_latest_rating(rated).filter(wanted)


def needs_curation(completions, rule):
    """Answered completions the rule's thresholds pick out that have no live draft yet."""
    return low_or_corrected(
        completions.filter(status=ServedCompletion.Status.OK), rule.max_rating, rule.on_correction
    ).filter(Q(draft=None) | Q(draft__deleted_at__isnull=False))


def rule_for(project):
    """The project's rule, or the default one (not enabled: drafts by hand, rating 2 or less, or a correction)."""
    return FeedbackRule.objects.filter(project=project).first() or FeedbackRule(project=project)


MAX_SUMMARIZED = 200_000  # rows read into Python for one period where SQL cannot aggregate (SQLite)


def summary_for(run, start, end, width, low_rating):
    """(Summary, requests in the period, whether the figures cover only the latest
    MAX_SUMMARIZED): buckets, percentiles and sums are computed by PostgreSQL; elsewhere the
    rows are read and summarized in Python."""
    from django.db import connection

    from api.core.monitoring import Summary, make_buckets, summarize

    completions = run.served_completions.filter(created_at__gte=start, created_at__lt=end)
    feedback = Feedback.objects.filter(completion__run=run, created_at__gte=start, created_at__lt=end)
    if connection.vendor != "postgresql":
        total = completions.count()
        rows = completions.order_by("-id")[:MAX_SUMMARIZED] if total > MAX_SUMMARIZED else completions
        summary = summarize(
            [
                (at, ms, status == ServedCompletion.Status.OK, p, c)
                for at, ms, status, p, c in rows.values_list(
                    "created_at", "latency_ms", "status", "prompt_tokens", "completion_tokens"
                )
            ],
            list(feedback.values_list("created_at", "rating")[:MAX_SUMMARIZED]),
            start,
            end,
            width,
            low_rating=low_rating,
        )
        return summary, total, total > MAX_SUMMARIZED
    buckets = make_buckets(start, end, width)
    last, seconds = len(buckets) - 1, width.total_seconds()
    bucket = "LEAST(%s, GREATEST(0, floor(extract(epoch FROM {t}.created_at - %s) / %s)))::int"
    window = [run.id, start, end]
    ok = "status = 'ok'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {bucket.format(t='c')} AS b, count(*), count(*) FILTER (WHERE NOT {ok}),"
            f" percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE {ok}),"
            f" percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE {ok})"
            " FROM api_servedcompletion c WHERE run_id = %s AND created_at >= %s AND created_at < %s GROUP BY b",
            [last, start, seconds, *window],
        )
        for b, requests, errors, p50, p95 in cursor.fetchall():
            buckets[b].requests, buckets[b].errors, buckets[b].p50, buckets[b].p95 = requests, errors, p50, p95
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE NOT {ok}),"
            f" percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY latency_ms) FILTER (WHERE {ok}),"
            f" coalesce(sum(prompt_tokens) FILTER (WHERE {ok}), 0), coalesce(sum(completion_tokens) FILTER (WHERE {ok}), 0)"
            " FROM api_servedcompletion WHERE run_id = %s AND created_at >= %s AND created_at < %s",
            window,
        )
        requests, errors, latency, prompt_tokens, completion_tokens = cursor.fetchone()
        cursor.execute(
            f"SELECT {bucket.format(t='f')} AS b, count(*), sum(f.rating), count(*) FILTER (WHERE f.rating <= %s)"
            " FROM api_feedback f JOIN api_servedcompletion c ON c.id = f.completion_id"
            " WHERE c.run_id = %s AND f.created_at >= %s AND f.created_at < %s GROUP BY b",
            [last, start, seconds, low_rating, *window],
        )
        ratings = rating_total = low_rated = 0
        for b, count, total_rating, low in cursor.fetchall():
            buckets[b].ratings, buckets[b].rating_total = count, total_rating
            ratings, rating_total, low_rated = ratings + count, rating_total + total_rating, low_rated + low
    p50, p95, p99 = latency or (None, None, None)
    summary = Summary(
        buckets=buckets,
        requests=requests,
        errors=errors,
        p50=p50,
        p95=p95,
        p99=p99,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        ratings=ratings,
        mean_rating=rating_total / ratings if ratings else None,
        low_rated=low_rated,
    )
    return summary, requests, False
