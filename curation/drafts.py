"""Drafts made from elsewhere in the studio (an evaluation's or a study's test example, a served
completion): written in someone's name with a revision that says where they came from, then
checked like any other example."""

from dataclasses import replace

from curation import checking
from curation.models import Example, ReviewComment, Revision

SOURCE_MAX = Example._meta.get_field("source").max_length


def new_draft(project, user, record, *, source, action, origin_run_id=None, synthetic=None):
    """A draft holding `record` (an instruction/input/output pair or a chat), saved with its first
    revision. Not checked yet: the caller checks it once its own transaction is done.
    `origin_run_id`: the run whose output it holds, which blinds it like the run (see
    curation.listing.visible); `synthetic`: the recipe and model that generated it."""
    example = Example.objects.create(
        project=project,
        author=user,
        source=source[:SOURCE_MAX],
        origin_run_id=origin_run_id,
        synthetic=synthetic,
        instruction=record.instruction,
        input=record.input,
        output=record.output,
        messages=[dict(m) for m in record.messages] if record.is_chat else None,
    )
    Revision.record(example, user, action)
    return example


def draft_once(project, user, record, *, source, action, origin_run_id=None):
    """(example, created): the live draft made from `source` before, else a new, checked one."""
    existing = Example.objects.filter(project=project, source=source[:SOURCE_MAX], deleted_at=None).first()
    if existing:
        return existing, False
    example = new_draft(project, user, record, source=source, action=action, origin_run_id=origin_run_id)
    checking.check_example(example)
    return example, True


def with_answer(record, answer):
    """`record` with `answer` as its output (or as its final assistant turn)."""
    if not record.is_chat:
        return replace(record, output=answer)
    messages = [dict(m) for m in record.messages]
    for m in reversed(messages):
        if m["role"] == "assistant":
            m["content"] = answer
            break
    else:
        messages.append({"role": "assistant", "content": answer})
    return type(record).chat(messages)


def correction_once(project, user, record, model_answer, *, who, source, action, origin_run_id=None):
    """(example, created): a correction task. The draft holds the answer `who` (a model) gave,
    and a comment on it gives the reference answer beside it, so the annotator corrects the
    model's answer rather than copying the reference (which the checks would flag as a duplicate
    of the example it came from)."""
    existing = Example.objects.filter(project=project, source=source[:SOURCE_MAX], deleted_at=None).first()
    if existing:
        return existing, False
    example = new_draft(
        project, user, with_answer(record, model_answer), source=source, action=action, origin_run_id=origin_run_id
    )
    shown = model_answer.strip() or "(empty answer)"
    ReviewComment.objects.create(
        example=example,
        author=user,
        decision=ReviewComment.Decision.COMMENT,
        version=example.version,
        text=(
            f"Correction task: the answer here is {who}'s ({len(shown):,} characters"
            f"{', empty' if not model_answer.strip() else ''}). The reference answer was:\n\n{record.answer()}\n\n"
            "Correct the answer (or write a better one), then submit it for review."
        ),
    )
    checking.check_example(example)
    return example, True
