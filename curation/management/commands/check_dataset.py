"""python manage.py check_dataset FILE [--output-schema SCHEMA.json] [--format json|text]

Checks a file with the studio's checks without touching the database; it needs no SECRET_KEY,
DEBUG or DATABASE_URL (manage.py runs it with OFFLINE_COMMAND settings). Exit status: 0 no errors,
1 errors found, 2 the file cannot be used (unreadable, or lines that cannot be read: bad JSON,
nesting too deep, an example over MAX_EXAMPLE_BYTES).
"""

import json
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from curation.core.dataset import check_jsonl, check_records
from curation.core.rules import FormatRules, RulesError
from studio.core.formats import FileError, decode, detect_kind, json_error_place, read_rows
from studio.core.prompts import token_counter


class Command(BaseCommand):
    help = "Check a JSONL/JSON/CSV file of examples with the studio's checks (no database needed)."
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--output-schema", help="a JSON Schema file the outputs must match (outputs must then be JSON)"
        )
        parser.add_argument("--rules", help="a JSON file of format rules, as on the project's Format rules page")
        parser.add_argument("--tokenizer", help="a model folder whose tokenizer counts tokens for the token rules")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, file, output_schema, rules, tokenizer, format, **options):
        code = self.run(file, output_schema, rules, tokenizer, format)
        sys.stdout.flush()
        sys.exit(code)

    def fail(self, format, message):
        if format == "json":
            self.stdout.write(json.dumps({"error": message}))
        else:
            self.stderr.write(f"error: {message}")
        return 2

    def run(self, file, schema_path, rules_path, tokenizer, format):
        try:
            rules = self.load_rules(schema_path, rules_path)
        except (OSError, ValueError) as e:
            return self.fail(format, str(e))
        try:
            data = Path(file).read_bytes()
        except OSError as e:
            return self.fail(format, f"{file}: {e.strerror}")
        try:
            text = decode(data, max_bytes=None)
            if not text.strip():
                raise FileError("the file is empty")
            kind = detect_kind(file, text)
        except FileError as e:
            return self.fail(format, f"{file}: {e}")
        count_tokens = None
        if tokenizer:
            count_tokens = token_counter(tokenizer)
            if count_tokens is None:
                return self.fail(format, f"{tokenizer}: no tokenizer.json, so tokens cannot be counted")
        if kind == "jsonl":
            lines, line_errors, by_line = check_jsonl(
                text, rules, count_tokens, max_example_bytes=settings.MAX_EXAMPLE_BYTES
            )
        else:
            try:
                rows, line_errors = read_rows(data, file, max_bytes=None, max_example_bytes=settings.MAX_EXAMPLE_BYTES)
            except FileError as e:
                return self.fail(format, f"{file}: {e}")
            lines = [row.line for row in rows]
            found = check_records([row.record for row in rows], rules, count_tokens, label=lambda i: f"line {lines[i]}")
            by_line = {lines[i]: f for i, f in found.items()}
        if not lines and not line_errors:
            return self.fail(format, f"{file}: the file holds no examples")
        out = [
            {"line": e.line, "check": "parse", "severity": "error", "message": e.reason, "related": []}
            for e in line_errors
        ]
        for line, found in by_line.items():
            for f in found:
                out.append(
                    {
                        "line": line,
                        "check": f.check,
                        "severity": f.severity,
                        "message": f.message,
                        "related": sorted(lines[j] for j in f.related),
                    }
                )
        out.sort(key=lambda f: (f["line"], f["check"]))
        if format == "json":
            self.stdout.write(
                json.dumps({"examples": len(lines) + len(line_errors), "findings": out}, ensure_ascii=False)
            )
        else:
            for f in out:
                related = _see_lines(f["related"])
                self.stdout.write(f"line {f['line']}: {f['severity']} [{f['check']}] {f['message']}{related}")
            errors = sum(f["severity"] == "error" for f in out)
            self.stdout.write(
                f"{len(lines) + len(line_errors)} examples, {errors} errors, {len(out) - errors} warnings"
            )
        if line_errors:
            return 2
        return 1 if any(f["severity"] == "error" for f in out) else 0

    def load_rules(self, schema_path, rules_path):
        data = {}
        if rules_path:
            try:
                data = json.loads(Path(rules_path).read_text(encoding="utf-8"))
            except json.JSONDecodeError as e:
                raise ValueError(f"{rules_path}: not valid JSON ({json_error_place(e)})") from None
        if schema_path:
            try:
                data["json_schema"] = json.loads(Path(schema_path).read_text(encoding="utf-8"))
            except json.JSONDecodeError as e:
                raise ValueError(f"{schema_path}: not valid JSON ({json_error_place(e)})") from None
            data["output_json"] = True
        try:
            return FormatRules.from_dict(data)
        except RulesError as e:
            raise ValueError(f"{schema_path or rules_path}: {e}") from None


def _see_lines(lines, most=10):
    """ " (see line 2)", " (see lines 2, 9)", " (see lines 2, 3, ... and 4 more)", or "" for none."""
    if not lines:
        return ""
    shown = ", ".join(map(str, lines[:most]))
    more = f" and {len(lines) - most} more" if len(lines) > most else ""
    return f" (see line{'s' if len(lines) > 1 else ''} {shown}{more})"
