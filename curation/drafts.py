"""Drafts made from elsewhere in the studio (an evaluation's or a study's test example, a served
completion): written in someone's name with a revision that says where they came from, then
checked like any other example."""

from curation import checking
from curation.models import Example, Revision

SOURCE_MAX = Example._meta.get_field("source").max_length


def new_draft(project, user, record, *, source, action):
    """A draft holding `record` (an instruction/input/output pair or a chat), saved with its first
    revision. Not checked yet: the caller checks it once its own transaction is done."""
    example = Example.objects.create(
        project=project,
        author=user,
        source=source[:SOURCE_MAX],
        instruction=record.instruction,
        input=record.input,
        output=record.output,
        messages=[dict(m) for m in record.messages] if record.is_chat else None,
    )
    Revision.record(example, user, action)
    return example


def draft_once(project, user, record, *, source, action):
    """(example, created): the live draft made from `source` before, else a new, checked one."""
    existing = Example.objects.filter(project=project, source=source[:SOURCE_MAX], deleted_at=None).first()
    if existing:
        return existing, False
    example = new_draft(project, user, record, source=source, action=action)
    checking.check_example(example)
    return example, True
