"""python manage.py check_dataset: a stable interface for automation."""

import json
import subprocess
import sys

import pytest
from django.conf import settings


def run(*args, **env):
    """The command as the README gives it, in a clean environment: no SECRET_KEY, DEBUG,
    DATABASE_URL or settings module, as on a fresh clone."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check_dataset", *map(str, args)],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
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


def test_a_fresh_clone_needs_no_secret_key_debug_or_database(dataset, tmp_path):
    path, _ = dataset
    var = tmp_path / "var"  # where the embedded database and broker would live
    code, out, err = run(path, STUDIO_VAR_DIR=str(var))
    assert (code, err) == (1, "")
    assert out.splitlines()[-1].startswith("4 examples, ")
    assert "[contradiction]" in out and "(see line 2)" in out and "see lines 2" not in out
    assert not var.exists()  # no SQLite file, no broker folder
    # a database that cannot be reached does not matter either: the command never connects
    code, out, err = run(path, DATABASE_URL="postgres://nobody@127.0.0.1:1/none", STUDIO_VAR_DIR=str(var))
    assert code == 1 and "Traceback" not in err
    assert out.splitlines()[-1].startswith("4 examples, ")


def test_deployment_settings_still_demand_a_secret_key():
    # only the file-reading command runs without one; anything else still refuses to start
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "STUDIO_VAR_DIR": "/nonexistent/studio-var"},
    )
    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def nested(depth):
    return "[" * depth + "]" * depth


GOOD = json.dumps({"instruction": "Summarise the article.", "input": "Rain fell all day.", "output": "It rained."})
OTHER = json.dumps(
    {"instruction": "Translate into German.", "input": "The train is late.", "output": "Der Zug hat Verspätung."}
)


@pytest.mark.parametrize(
    "name, text, line",
    [
        ("deep.jsonl", f'{GOOD}\n\n{{"instruction": "a", "output": "b", "meta": {nested(5000)}}}\n{GOOD}\n', 3),
        ("deep-top.jsonl", f"{GOOD}\n{nested(100_000)}\n", 2),
        ("deep.json", f'[{GOOD},\n{OTHER},\n{{"messages": {nested(3000)}}}]', 3),
        ("deep.csv", f'instruction,messages\nHi,"{nested(4000)}"\n', 2),
    ],
)
def test_deep_nesting_is_refused_naming_the_line(tmp_path, name, text, line):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, out, err = run(path)
    assert code == 2
    assert "Traceback" not in err
    assert f"line {line}: " in out + err
    assert "nested too deeply" in out + err


def test_nesting_a_parser_can_read_is_not_refused(tmp_path):
    # 500 levels in a field the studio does not keep: the example is read, the rest ignored
    path = tmp_path / "meta.jsonl"
    path.write_text(
        json.dumps({"instruction": "Name the capital of Peru.", "output": "Lima.", "meta": json.loads(nested(500))})
        + "\n"
    )
    code, out, err = run(path, "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out)["examples"] == 1


def test_an_answer_holding_json_nested_too_deep_is_a_finding_not_a_traceback(tmp_path):
    path, schema = tmp_path / "answers.jsonl", tmp_path / "schema.json"
    rows = [{"instruction": "List the nested groups.", "output": nested(5000) + tail} for tail in ("", " ")]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    schema.write_text('{"type": "array"}')
    code, out, err = run(path, "--output-schema", schema, "--format", "json")
    assert code == 1 and "Traceback" not in err
    found = {(f["line"], f["check"]): f["message"] for f in json.loads(out)["findings"]}
    assert found[(1, "format")] == "output is JSON nested too deeply (more than 1,000 levels) to read"


def test_an_example_over_the_size_limit_is_refused_naming_the_line(tmp_path):
    path = tmp_path / "big.jsonl"
    huge = {"instruction": "Summarise the report.", "input": "é" * 600_000, "output": "A short summary."}
    path.write_text(f"{GOOD}\n{OTHER}\n{json.dumps(huge, ensure_ascii=False)}\n", encoding="utf-8")
    code, out, err = run(path, "--format", "json")
    assert code == 2
    (finding,) = json.loads(out)["findings"]
    assert finding["line"] == 3 and finding["check"] == "parse"
    # 600,000 characters but 1.2 MB of UTF-8: the limit counts bytes
    assert finding["message"].startswith(
        "the example is 1.2 MB of text; the limit is 1 MB (the MAX_EXAMPLE_BYTES setting)"
    )
    # the limit is a setting
    code, out, err = run(path, "--format", "json", MAX_EXAMPLE_BYTES="2000000")
    assert code == 0, out + err
    # just under the limit passes; the chat form is measured too
    chat = {"messages": [{"role": "user", "content": "a" * 499_990}, {"role": "assistant", "content": "b" * 499_990}]}
    path.write_text(json.dumps(chat) + "\n")
    assert run(path, "--format", "json")[0] == 0
    chat["messages"].append({"role": "user", "content": "c" * 100})
    path.write_text(json.dumps(chat) + "\n")
    code, out, _ = run(path, "--format", "json")
    assert code == 2 and json.loads(out)["findings"][0]["line"] == 1
