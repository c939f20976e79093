"""Exports of a dataset version: one zip with a file per split and a dataset card."""

import io
import json
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

from curation.core.cards import dataset_card
from studio.core.formats import to_object, write_parquet

FORMATS = {
    "hf": "Hugging Face datasets folder (load_from_disk)",
    "parquet": "parquet, one file per split",
    "chat": "OpenAI chat JSONL (messages)",
    "alpaca": "alpaca JSONL (instruction, input, output)",
    "preference": "preference JSONL (prompt, chosen, rejected): the preference pairs only",
}
DESCRIPTIONS = {
    "hf": 'A `datasets.DatasetDict` saved with `save_to_disk`: load it with `datasets.load_from_disk("data")`. Columns: example_id, instruction, input, output, rejected (a preference pair\'s rejected answer, else empty), messages (list of role/content).',
    "parquet": 'One parquet file per split with columns instruction, input, output, rejected (a preference pair\'s, else empty) and messages (list of role/content); `datasets.load_dataset("parquet", data_dir="data")` reads them.',
    "chat": 'One JSONL file per split, each line `{"messages": [{"role", "content"}, ...]}` as OpenAI\'s fine-tuning API and TRL read it.',
    "alpaca": 'One JSONL file per split, each line `{"instruction", "input", "output"}`.',
    "preference": 'One JSONL file per split, each line `{"prompt", "chosen", "rejected"}` as TRL\'s DPO trainer reads it; only the preference pairs (examples with a rejected answer) are in it.',
}
SPLITS = ("train", "validation", "test")


class ExportError(ValueError):
    pass


def export_version(version, fmt, progress=None):
    """Write the zip under MEDIA_ROOT/exports/ and return its path relative to MEDIA_ROOT."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items = {split: list(version.items.filter(split=split).order_by("id")) for split in SPLITS}
    if fmt == "preference":
        items = {split: [i for i in rows if i.record().is_preference] for split, rows in items.items()}
        if not any(items.values()):
            raise ExportError(
                "this version holds no preference pairs (examples with a rejected answer); choose another format"
            )
    if fmt == "alpaca":
        blocked = [
            i.example_id
            for split in SPLITS
            for i in items[split]
            if i.messages and len([m for m in i.messages if m.get("role") != "system"]) != 2
        ]
        if blocked:
            raise ExportError(
                f"{len(blocked)} multi-turn chat(s) have no alpaca form (#{', #'.join(map(str, blocked[:10]))}); export as chat, parquet or a datasets folder"
            )
    relative = Path("exports") / f"{version.project.slug}-{version.id}-{fmt}.zip"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    files = {}
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        tmp = Path(tmp)
        if fmt == "hf":
            from datasets import Dataset, DatasetDict

            dd = DatasetDict(
                {split: Dataset.from_list([_row(i) for i in rows]) for split, rows in items.items() if rows}
            )
            dd.save_to_disk(str(tmp / "data"))
            for path in sorted((tmp / "data").rglob("*")):
                if path.is_file():
                    zf.write(path, Path("data") / path.relative_to(tmp / "data"))
            files = {split: f"data/{split}/*.arrow" for split in dd}
        for n, split in enumerate(SPLITS):
            rows = items[split]
            if not rows or fmt == "hf":
                continue
            if fmt == "parquet":
                path = tmp / f"{split}.parquet"
                write_parquet([i.record() for i in rows], path)
                zf.write(path, f"data/{split}.parquet")
                files[split] = f"data/{split}.parquet"
            else:
                out = io.StringIO()
                for item in rows:
                    out.write(json.dumps(to_object(item.record(), fmt), ensure_ascii=False) + "\n")
                zf.writestr(f"data/{split}.jsonl", out.getvalue())
                files[split] = f"data/{split}.jsonl"
            if progress:
                progress(n + 1, len(SPLITS))
        zf.writestr("README.md", dataset_card(card_meta(version, fmt, files)))
    return str(relative)


def _row(item):
    record = item.record()
    return {
        "example_id": item.example_id,
        "instruction": item.instruction,
        "input": item.input,
        "output": record.answer(),
        "rejected": record.rejected,
        "messages": [dict(m) for m in item.messages]
        if item.messages
        else [
            {"role": "user", "content": item.instruction + (f"\n\n{item.input}" if item.input else "")},
            {"role": "assistant", "content": item.output},
        ],
    }


def card_meta(version, fmt, files):
    from curation.readiness import latest

    readiness = latest(version.project, version)
    return {
        "readiness": (
            {k: readiness.details[k] for k in ("verdict", "checks", "total")}
            | {"topics": len(readiness.details["coverage"]["topics"]), "outliers": len(readiness.details["outliers"])}
            if readiness
            else None
        ),
        "name": version.name,
        "project": version.project.name,
        "note": version.note,
        "content_hash": version.content_hash,
        "counts": version.counts,
        "synthetic_count": version.synthetic_count,
        "preference_count": version.items.exclude(rejected="").filter(messages__isnull=True).count(),
        "seed": version.seed,
        "ratios": version.ratios,
        "stratify_field": version.stratify_field,
        "check_summary": version.check_summary,
        "findings_override": version.findings_override,
        "leakage_count": len(version.leakage),
        "leakage_override": version.leakage_override,
        "created_by": version.created_by.username if version.created_by else "someone",
        "created_at": version.created_at.strftime("%Y-%m-%d %H:%M UTC"),
        "format_description": DESCRIPTIONS[fmt],
        "files": files,
    }
