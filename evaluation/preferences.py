"""Preference pairs from a closed study: votes, prompts and answers read from the database,
turned into rows by evaluation/core/preferences.py, and packed as a zip with a dataset card."""

import io
import zipfile
from collections import Counter

from evaluation.core.preferences import build_preferences, preference_card, rater_agreement, to_jsonl
from evaluation.models import Study
from studio.core.prompts import file_prompt

FILE = "preferences.jsonl"


class ExportRefused(ValueError):
    """The study cannot be exported (yet); the message says why, for the lead."""


def study_votes(study):
    """The study's votes as the core reads them, ordered by item and queue position."""
    assignments = (
        study.assignments.filter(vote__isnull=False).select_related("vote", "rater").order_by("item_id", "order", "id")
    )
    return [
        {
            "rater": a.rater.username,
            "item": a.item_id,
            "left": a.left,
            "right": a.right,
            "choice": a.vote.choice,
            "repeat": bool(a.repeat_of),
        }
        for a in assignments
    ]


def _base_model(study):
    from training.models import TrainingRun

    run_ids = [s["run_id"] for s in study.systems if s.get("run_id")]
    run = TrainingRun.objects.select_related("base_model").filter(id__in=run_ids).order_by("id").first()
    return run.base_model if run else None


def study_preferences(study):
    """(Preferences, votes, base model, chat template?) of a closed study: the rows trl reads.
    Raises ExportRefused for a study that is not closed or whose votes give no pair."""
    if study.status != Study.Status.CLOSED:
        raise ExportRefused(
            f"“{study.name}” is {study.get_status_display().lower()}: preference pairs can be exported once the study is closed, so that no vote comes in after the export."
        )
    from studio.core.prompts import RenderError

    votes = study_votes(study)
    if not votes:
        raise ExportRefused(f"“{study.name}” has no votes, so there are no preference pairs to export.")
    base_model = _base_model(study)
    chat_template = bool((base_model.info if base_model else {}).get("has_chat_template", True))
    item_ids = sorted({v["item"] for v in votes})
    prompts = {}
    for item in study.dataset_version.items.filter(id__in=item_ids):
        try:
            prompts[item.id] = file_prompt(item.record(), chat_template)
        except RenderError:
            pass  # counted as missing a prompt; the study could not have shown it either
    outputs = {
        (item, system): text
        for item, system, text in study.outputs.filter(item_id__in=item_ids).values_list("item_id", "system", "text")
    }
    prefs = build_preferences(votes, prompts, outputs)
    counts = prefs.counts
    # pairs whose two answers were the same text were never shown to raters, so no vote counts
    # them above: they are left out all the same, and the card says how many
    from evaluation.studying import identical_pairs

    voted = {(v["item"], *sorted((v["left"], v["right"]))) for v in votes}
    counts["identical"] += len({(i, a, b) for i, a, b in identical_pairs(study) if a < b} - voted)
    if not prefs.rows:
        raise ExportRefused(
            f"No preference pairs in “{study.name}”: of {counts['counted']} votes counted, {counts['ties']} said tie and {counts['both_bad']} both bad, "
            f"{counts['split']} item pair(s) split evenly and {counts['identical']} had two identical answers, so no answer was preferred."
        )
    return prefs, votes, base_model, chat_template


def export_study(study, names):
    """(file name, zip bytes) with preferences.jsonl and README.md; `names` maps each system
    key to the model's name. Raises ExportRefused for a study that is not closed or whose
    votes give no pair."""
    prefs, votes, base_model, chat_template = study_preferences(study)
    counts = prefs.counts
    pairs = Counter()
    for d in prefs.decisions:
        a, b = sorted((d.chosen, d.rejected))
        pairs[(a, b, d.chosen == a)] += 1
    keys = sorted({(a, b) for a, b, _ in pairs})
    meta = {
        "project": study.project.name,
        "study": {
            "id": study.id,
            "name": study.name,
            "closed_at": study.closed_at.strftime("%Y-%m-%d %H:%M UTC") if study.closed_at else "–",
            "created_by": study.created_by.username if study.created_by else "someone",
            "ratings_per_item": study.ratings_per_item,
            "repeat_share": study.repeat_share,
            "raters": len({v["rater"] for v in votes}),
        },
        "version": {"name": study.dataset_version.name, "content_hash": study.dataset_version.content_hash},
        "systems": [(s["key"], names.get(s["key"], s["key"])) for s in study.systems],
        "base_model": base_model.name if base_model else "unknown",
        "counts": counts,
        "pairs": [(a, b, pairs[(a, b, True)], pairs[(a, b, False)]) for a, b in keys],
        "agreement": rater_agreement(votes),
        "form": "conversational" if chat_template else "standard",
        "file": FILE,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(FILE, to_jsonl(prefs.rows))
        zf.writestr("README.md", preference_card(meta))
    return f"{study.project.slug}-study-{study.id}-preferences.zip", buffer.getvalue()
