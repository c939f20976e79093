"""python manage.py check_dataset: a stable interface for automation."""

import json
import subprocess
import sys

import pytest
from django.conf import settings


def run(*args):
    result = subprocess.run(
        [sys.executable, "manage.py", "check_dataset", *map(str, args)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DEBUG": "true",
            "PATH": "/usr/bin:/bin",
            "STUDIO_VAR_DIR": "/tmp/studio-cli-test",
        },
    )
    return result.returncode, result.stdout, result.stderr


@pytest.fixture
def dataset(tmp_path):
    rows = [
        {
            "instruction": "Triage the ticket.",
            "input": "My parcel is late.",
            "output": '{"category": "shipping", "priority": "high"}',
        },
        {
            "instruction": "Triage the ticket.",
            "input": "my parcel is  late",
            "output": '{"category": "shipping", "priority": "low"}',
        },
        {
            "instruction": "Triage the ticket.",
            "input": "Reach me at ann@example.org",
            "output": '{"category": "account", "priority": "normal"}',
        },
        {
            "instruction": "Triage the ticket.",
            "input": "Card declined.",
            "output": '{"category": "billing", "priority": "urgent"}',
        },
    ]
    path = tmp_path / "tickets.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {"priority": {"enum": ["low", "normal", "high"]}}}))
    return path, schema


def test_json_report_with_lines_checks_and_related(dataset):
    path, schema = dataset
    code, out, _ = run(path, "--output-schema", schema, "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["examples"] == 4
    found = {(f["line"], f["check"]): f for f in report["findings"]}
    assert found[(1, "contradiction")]["related"] == [2]
    assert found[(2, "contradiction")]["severity"] == "error"
    assert found[(3, "pii")]["message"] == "the input contains an e-mail address (…@example.org)"
    assert "$.priority" in found[(4, "format")]["message"]
    assert set(found[(1, "contradiction")]) == {"line", "check", "severity", "message", "related"}


def test_clean_file_exits_0_with_text_summary(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(
        "instruction,input,output\nSummarise the text.,The cat sat on the mat.,A cat sat.\n", encoding="utf-8"
    )
    code, out, _ = run(path)
    assert code == 0
    assert out.strip() == "1 examples, 0 errors, 0 warnings"


def test_unreadable_lines_exit_2_with_line_and_reason_and_no_traceback(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(
        '{"instruction": "Name three primary colours.", "output": "Red, yellow and blue."}\n{not json}\n',
        encoding="utf-8",
    )
    code, out, err = run(path, "--format", "json")
    assert code == 2
    (finding,) = json.loads(out)["findings"]
    assert finding["line"] == 2 and finding["check"] == "parse"
    assert "Traceback" not in err


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda p: p.write_bytes(b"\xff\xfe\x00"), "not UTF-8 text"),
        (lambda p: p.write_text(""), "the file is empty"),
        (lambda p: None, "No such file or directory"),
    ],
)
def test_unusable_files_exit_2(tmp_path, make, message):
    path = tmp_path / "data.jsonl"
    make(path)
    code, out, err = run(path, "--format", "json")
    assert code == 2
    assert message in json.loads(out)["error"]
    assert "Traceback" not in err


def test_bad_schema_file_is_named(dataset, tmp_path):
    path, _ = dataset
    schema = tmp_path / "broken.json"
    schema.write_text('{"type": "nope"}')
    code, out, err = run(path, "--output-schema", schema)
    assert code == 2
    assert "broken.json: json_schema: not a valid JSON Schema" in err
