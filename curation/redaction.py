"""Personal data out of an example's history: a lead redacts the e-mail addresses, phone
numbers, card numbers and IBANs the PII check finds in every stored revision (editing the example
removes them from its current text; its history kept them). Each redacted revision records who
redacted it, when and what was removed."""

from collections import Counter

from django.db import transaction
from django.utils import timezone

from curation.core.pii import find_pii

NAMES = {
    "email": ("e-mail address", "e-mail addresses"),
    "phone": ("phone number", "phone numbers"),
    "card": ("card number", "card numbers"),
    "iban": ("IBAN", "IBANs"),
}


def redact_text(text, removed):
    """`text` with every match of the PII check replaced by [redacted <kind>]; counts what it removed."""
    if not text:
        return text
    out, last = [], 0
    for match in find_pii(text):
        if match.start < last:
            continue
        out += [text[last : match.start], f"[redacted {NAMES.get(match.kind, (match.kind,))[0]}]"]
        last = match.start + len(match.text)
        removed[match.kind] += 1
    return "".join(out) + text[last:] if out else text


def describe(removed):
    return ", ".join(f"{n} {NAMES.get(k, (k, k + 's'))[0 if n == 1 else 1]}" for k, n in sorted(removed.items()))


TEXT_FIELDS = ("instruction", "input", "output", "rejected")  # a preference pair's rejected answer too


def redact_history(example, user):
    """Redact every revision of `example`; returns what was removed in all, as a Counter."""
    total = Counter()
    with transaction.atomic():
        for revision in example.revisions.select_for_update():
            removed = Counter()
            fields = {name: redact_text(getattr(revision, name), removed) for name in TEXT_FIELDS}
            messages = revision.messages
            if messages:
                messages = [
                    {**m, "content": redact_text(str(m.get("content") or ""), removed)} if m.get("content") else m
                    for m in messages
                ]
            if not removed:
                continue
            for name, value in fields.items():
                setattr(revision, name, value)
            revision.messages = messages
            revision.redacted_by, revision.redacted_at = user, timezone.now()
            revision.redaction = describe(removed)[:200]
            revision.save(update_fields=[*TEXT_FIELDS, "messages", "redacted_by", "redacted_at", "redaction"])
            total += removed
    return total
