"""Served completions in the database: feedback on them, and drafts in curation made from the
low-rated or corrected ones (one click on the monitoring page, or the lead's rule)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery

from api.models import Feedback, FeedbackRule, ServedCompletion


def give_feedback(completion, user, rating, correction="", comment=""):
    """Record feedback; when the project's rule asks for it, the completion becomes a draft,
    written in the name of the lead who set the rule. Returns (feedback, the draft or None)."""
    feedback = Feedback.objects.create(completion=completion, user=user, rating=rating, correction=correction, comment=comment)
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
    from curation import checking
    from curation.models import Example, Revision

    with transaction.atomic():
        locked = ServedCompletion.objects.select_for_update(of=("self",)).select_related("project", "draft").get(id=completion.id)
        if locked.draft is not None and locked.draft.deleted_at is None:
            return locked.draft, False
        latest = locked.feedback.select_related("user").order_by("-id").first()
        corrected = locked.feedback.exclude(correction="").order_by("-id").first()
        answer = corrected.correction if corrected else locked.output
        rated = f", rated {latest.rating}/5 by {latest.user.username if latest.user else 'someone'}" if latest else ""
        source = f"served completion {locked.public_id} of run-{locked.run_id}{rated}"
        if locked.endpoint == "chat.completions":
            example = Example(project=locked.project, author=user, source=source[:200], messages=[*locked.messages, {"role": "assistant", "content": answer}])
        else:
            example = Example(project=locked.project, author=user, source=source[:200], instruction=locked.prompt_text(), output=answer)
        example.save()
        Revision.record(example, user, "from served feedback (rule)" if by_rule else "from served feedback")
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
    return with_latest_rating(completions).filter(wanted)


def needs_curation(completions, rule):
    """Answered completions the rule's thresholds pick out that have no live draft yet."""
    return low_or_corrected(completions.filter(status=ServedCompletion.Status.OK), rule.max_rating, rule.on_correction).filter(Q(draft=None) | Q(draft__deleted_at__isnull=False))


def rule_for(project):
    """The project's rule, or the default one (not enabled: drafts by hand, rating 2 or less, or a correction)."""
    return FeedbackRule.objects.filter(project=project).first() or FeedbackRule(project=project)
