"""Pre-flight of a dataset version for a base model: every example rendered and tokenized
exactly as the trainer will (studio/core/prompts.py), summarised for people."""

import statistics

from studio.core.prompts import RenderError, histogram, load_tokenizer, render, template_kind, tokenize

MAX_LISTED = 500


def run_preflight(version, base_model, max_length, progress=None):
    tokenizer = load_tokenizer(base_model.path)
    items = list(version.items.order_by("id"))
    lengths, trained, truncated, errors = [], 0, [], []
    by_split = {}
    for n, item in enumerate(items):
        try:
            tokens = tokenize(render(item.record(), tokenizer), tokenizer, max_length)
        except RenderError as e:
            errors.append({"item": item.id, "example": item.example_id, "reason": str(e)})
            continue
        lengths.append(tokens.length)
        trained += sum(tokens.completion_mask)
        by_split.setdefault(item.split, []).append(tokens.length)
        if tokens.truncated:
            truncated.append(
                {"item": item.id, "example": item.example_id, "length": tokens.length, "split": item.split}
            )
        if progress and n % 200 == 0:
            progress(n, len(items))
    truncated.sort(key=lambda t: -t["length"])
    ordered = sorted(lengths)
    return {
        "version_id": version.id,
        "base_model_id": base_model.id,
        "base_model_name": base_model.name,
        "max_length": max_length,
        "template": template_kind(tokenizer),
        "count": len(lengths),
        "mean": round(statistics.fmean(lengths), 1) if lengths else 0,
        "p50": ordered[len(ordered) // 2] if ordered else 0,
        "p95": ordered[int(0.95 * (len(ordered) - 1))] if ordered else 0,
        "max": ordered[-1] if ordered else 0,
        "total_tokens": sum(min(n, max_length) for n in lengths),
        "trained_tokens": trained,
        "by_split": {
            split: {"count": len(v), "tokens": sum(min(n, max_length) for n in v)} for split, v in by_split.items()
        },
        "histogram": histogram(lengths),
        "truncated_count": len(truncated),
        "truncated": truncated[:MAX_LISTED],
        "errors": errors[:MAX_LISTED],
        "error_count": len(errors),
    }


def token_view(item, base_model, max_length):
    """[(token text, carries loss, beyond max_length)] of one item, and its rendered text."""
    tokenizer = load_tokenizer(base_model.path)
    rendered = render(item.record(), tokenizer)
    tokens = tokenize(rendered, tokenizer, 10**9)  # all of it; mark what max_length cuts
    pieces = [tokenizer.decode([t]) for t in tokens.input_ids]
    return [
        (text, bool(m), i >= max_length) for i, (text, m) in enumerate(zip(pieces, tokens.completion_mask))
    ], rendered
