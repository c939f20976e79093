"""Served completions in the database: feedback on them, and drafts in curation made from the
low-rated or corrected ones (one click on the monitoring page, or the lead's rule)."""

from django.db import transaction

from api.models import Feedback, FeedbackRule, ServedCompletion


def give_feedback(completion, user, rating, correction="", comment=""):
    """Record feedback; when the project's rule asks for it, the completion becomes a draft.
    Returns (feedback, the draft example or None)."""
    feedback = Feedback.objects.create(completion=completion, user=user, rating=rating, correction=correction, comment=comment)
    rule = FeedbackRule.objects.filter(project_id=completion.project_id).first()
    draft = None
    if rule and rule.matches(rating, correction):
        draft, _ = make_draft(completion, user, by_rule=True)
    return feedback, draft


def make_draft(completion, user, by_rule=False):
    """(draft example, created?) for a served completion: the conversation it answered, and as
    the answer the latest correction given, else the model's own output for an annotator to fix.
    A completion makes at most one draft (a deleted draft may be made again)."""
    from curation import checking
    from curation.models import Example, Revision

    with transaction.atomic():
        locked = ServedCompletion.objects.select_for_update(of=("self",)).select_related("project", "draft").get(id=completion.id)
        if locked.draft is not None and locked.draft.deleted_at is None:
            return locked.draft, False
        latest = locked.feedback.order_by("-id").first()
        corrected = locked.feedback.exclude(correction="").order_by("-id").first()
        answer = corrected.correction if corrected else locked.output
        rated = f", rated {latest.rating}/5" if latest else ""
        source = f"served completion {locked.public_id} of run-{locked.run_id}{rated}"
        if locked.endpoint == "chat.completions":
            example = Example(project=locked.project, author=user, source=source[:200], messages=[*locked.messages, {"role": "assistant", "content": answer}])
        else:
            example = Example(project=locked.project, author=user, source=source[:200], instruction=locked.prompt_text(), output=answer)
        example.save()
        Revision.record(example, user, "from served feedback (rule)" if by_rule else "from served feedback")
        locked.draft = example
        locked.save(update_fields=["draft"])
    checking.check_example(example)
    return example, True


def needs_curation(queryset, max_rating=2):
    """The completions worth a draft: rated at or below max_rating, or corrected, with no live draft."""
    from django.db.models import Q

    return queryset.filter(Q(feedback__rating__lte=max_rating) | Q(feedback__correction__gt="")).filter(Q(draft=None) | Q(draft__deleted_at__isnull=False)).distinct()


def rule_for(project):
    return FeedbackRule.objects.filter(project=project).first() or FeedbackRule(project=project)
