"""Dataset cards: a README.md that travels with every export of a dataset version."""


def dataset_card(meta):
    """Markdown with a YAML header (the Hugging Face dataset-card layout). `meta` holds name,
    project, content_hash, counts, seed, ratios, stratify_field, check_summary, overrides,
    leakage count, created_by, created_at, format and files."""
    counts = meta["counts"]
    total = sum(counts.values())
    lines = [
        "---",
        f"pretty_name: {meta['project']} / {meta['name']}",
        "configs:",
        "- config_name: default",
        "  data_files:",
    ]
    for split, path in meta["files"].items():
        lines.append(f"  - split: {split}")
        lines.append(f"    path: {path}")
    lines += ["---", "", f"# {meta['project']}: {meta['name']}", ""]
    if meta.get("note"):
        lines += [meta["note"], ""]
    lines += [
        f"Frozen {meta['created_at']} by {meta['created_by']} in the studio. Content hash (sha256 of the examples' content): `{meta['content_hash']}`.",
        "",
        "## Splits",
        "",
        "| split | examples |",
        "| --- | ---: |",
    ]
    for split in ("train", "validation", "test"):
        lines.append(f"| {split} | {counts.get(split, 0)} |")
    lines.append(f"| total | {total} |")
    ratios = " / ".join(f"{r:g}" for r in meta["ratios"])
    stratified = f", stratified by `{meta['stratify_field']}`" if meta.get("stratify_field") else ""
    lines += [
        "",
        f"Seed {meta['seed']}, ratios {ratios}{stratified}. Examples with near-identical prompts are always in the same split.",
        "",
    ]
    lines += ["## Checks", ""]
    summary = meta.get("check_summary") or {}
    if summary:
        lines += [f"- {n} {kind}" for kind, n in sorted(summary.items())]
    else:
        lines.append("No open findings when frozen.")
    if meta.get("findings_override"):
        lines += ["", f"Frozen although approved examples carried errors, because: {meta['findings_override']}"]
    if meta.get("leakage_count"):
        lines += ["", f"{meta['leakage_count']} test example(s) closely resemble a training example."]
    if meta.get("leakage_override"):
        lines += [f"Frozen anyway, because: {meta['leakage_override']}"]
    readiness = meta.get("readiness")
    if readiness:
        verdict = {"ready": "ready to train", "warnings": "ready, with warnings", "not ready": "not ready"}
        lines += [
            "",
            "## Readiness",
            "",
            f"Measured as {verdict[readiness['verdict']]}: {readiness['topics']} topics, {readiness['outliers']} outlier(s).",
            "",
        ]
        mark = {"pass": "✓", "warn": "!", "fail": "✗"}
        lines += [f"- {mark[c['level']]} {c['what']}: {c['detail']}" for c in readiness["checks"]]
    lines += ["", "## Format", "", meta["format_description"], ""]
    return "\n".join(lines)
