import io
import json

import pytest

from studio.core.formats import (
    MAX_EXAMPLE_BYTES,
    FileError,
    read_rows,
    size_problem,
    to_object,
    write_jsonl,
    write_parquet,
)
from studio.core.records import Record


def test_jsonl_with_bom_crlf_blank_lines_and_unicode():
    data = "\ufeff" + '{"instruction": "Übersetze", "output": "日本語 ✓"}\r\n\r\n{"prompt": "p", "completion": "c"}\r\n'
    rows, errors = read_rows(data.encode("utf-8"), "x.jsonl")
    assert errors == []
    assert [(r.line, r.form) for r in rows] == [(1, "alpaca"), (3, "prompt_completion")]
    assert rows[0].record.output == "日本語 ✓"


def test_all_four_forms():
    lines = [
        {"instruction": "a", "input": "b", "output": "c"},
        {"prompt": "p", "completion": "c"},
        {
            "messages": [
                {"role": "system", "content": "s"},
                {"role": "user", "content": [{"type": "text", "text": "u"}]},
                {"role": "assistant", "content": "a"},
            ]
        },
        {"conversations": [{"from": "human", "value": "h"}, {"from": "gpt", "value": "g"}]},
    ]
    rows, errors = read_rows("\n".join(json.dumps(x) for x in lines).encode(), "x.jsonl")
    assert errors == []
    assert [r.form for r in rows] == ["alpaca", "prompt_completion", "chat", "sharegpt"]
    assert rows[2].record.messages[1] == {"role": "user", "content": "u"}
    assert rows[3].record.messages == ({"role": "user", "content": "h"}, {"role": "assistant", "content": "g"})


def test_bad_lines_are_named_with_the_reason():
    data = b'{"instruction": "a", "output": "b"}\n{broken\n{"foo": 1}\n{"instruction": 3, "output": "x"}\n[1]\n'
    rows, errors = read_rows(data, "x.jsonl")
    assert len(rows) == 1
    assert [str(e) for e in errors] == [
        "line 2: not valid JSON: Expecting property name enclosed in double quotes (column 2)",
        "line 3: no known fields: expected instruction/input/output, prompt/completion, messages, conversations or prompt/chosen/rejected (found foo)",
        "line 4: “instruction” must be text, not a number",
        "line 5: expected an object with fields, found a list",
    ]


def test_a_nul_character_refuses_its_line_in_every_format():
    """The database cannot store U+0000: the line holding one is named instead of failing later."""
    data = b'{"instruction": "a\\u0000b", "output": "c"}\n{"messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y\\u0000"}]}\n{"prompt": "ok", "completion": "ok"}\n'
    rows, errors = read_rows(data, "x.jsonl")
    assert [r.line for r in rows] == [3]
    assert [str(e) for e in errors] == [
        f"line {n}: contains a NUL character (\\u0000), which text cannot hold; remove it" for n in (1, 2)
    ]
    rows, errors = read_rows(b"instruction,output\nfine,ok\nbad\x00,ok\n", "x.csv")
    assert len(rows) == 1 and [e.line for e in errors] == [3]


def test_json_array_reports_the_line_of_each_element():
    data = (
        b'[\n  {"instruction": "a", "output": "b"},\n\n  {"nope": 2},\n  {"instruction": "c",\n   "output": "d"}\n]\n'
    )
    rows, errors = read_rows(data, "x.json")
    assert [r.line for r in rows] == [2, 5]
    assert [e.line for e in errors] == [4]
    with pytest.raises(FileError, match="line 3: not valid JSON"):
        read_rows(b'[\n {"instruction": "a", "output": "b"},\n {oops}\n]', "x.json")
    with pytest.raises(FileError, match="must hold a list of examples"):
        read_rows(b'{"instruction": "a", "output": "b"}', "x.json")


def test_csv_with_quotes_newlines_and_short_rows():
    data = 'instruction,input,output\r\n"Multi\nline",,"say ""hi"""\r\nx,y\r\n\r\nä,ö,ü\r\n'.encode()
    rows, errors = read_rows(data, "x.csv")
    assert [(r.line, r.record.instruction, r.record.output) for r in rows] == [
        (2, "Multi\nline", 'say "hi"'),
        (5, "ä", "ü"),
    ]
    assert [str(e) for e in errors] == ["line 4: “output” is missing"]
    with pytest.raises(FileError, match="the header must name"):
        read_rows(b"question,answer\nq,a\n", "x.csv")


def test_whole_file_problems():
    with pytest.raises(FileError, match="line 2: not UTF-8 text"):
        read_rows(b'{"instruction": "a", "output": "b"}\n\xff\xfe\n', "x.jsonl")
    with pytest.raises(FileError, match="the limit is 1 MB"):
        read_rows(b"x" * 1_000_001, "x.jsonl", max_bytes=1_000_000)
    with pytest.raises(FileError, match="the file is empty"):
        read_rows(b"\n\n", "x.jsonl")
    with pytest.raises(FileError, match="cannot tell the format"):
        read_rows(b"hello", "notes.txt")


def test_export_forms_round_trip():
    records = [
        Record("Summarise", "Long text", "Short"),
        Record.chat([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]),
    ]
    for form in ("alpaca", "chat", "prompt_completion"):
        out = io.StringIO()
        assert write_jsonl(records, form, out) == 2
        rows, errors = read_rows(out.getvalue().encode(), "x.jsonl")
        assert errors == [] and [r.record.answer() for r in rows] == ["Short", "Hello"]
    assert to_object(records[0], "prompt_completion") == {"prompt": "Summarise\n\nLong text", "completion": "Short"}
    long_chat = Record.chat([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 2)
    with pytest.raises(ValueError, match="a chat of 4 turns has no alpaca form"):
        to_object(long_chat, "alpaca")


def test_parquet_loads_with_datasets(tmp_path):
    from datasets import load_dataset

    path = tmp_path / "train.parquet"
    write_parquet(
        [
            Record("Summarise", "Text", "Short"),
            Record.chat([{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]),
        ],
        path,
    )
    ds = load_dataset("parquet", data_files=str(path), split="train")
    assert ds[0]["output"] == "Short"
    assert ds[1]["messages"] == [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]


def test_lines_with_unusual_unicode_line_breaks_stay_one_example():
    text = json.dumps({"instruction": "Say it", "output": "Line one\u2028line two\u0085end"}, ensure_ascii=False) + "\n"
    rows, errors = read_rows(text.encode("utf-8"), "x.jsonl")
    assert errors == [] and rows[0].record.output == "Line one\u2028line two\u0085end"


def deep(depth):
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "name, text, line",
    [
        ("a.jsonl", '{"instruction": "a", "output": "b"}\n' + deep(50_000) + "\n", 2),
        ("a.jsonl", '{"instruction": "a", "output": "b", "x": {"y": ' + deep(1100) + "}}\n", 1),
        ("a.csv", 'messages\n"[{""role"": ""user"", ""content"": ""Hi""}]"\n"' + deep(2000) + '"\n', 3),
    ],
)
def test_deep_nesting_is_a_line_error_not_a_crash(name, text, line):
    rows, errors = read_rows(text.encode(), name)
    (error,) = errors
    assert error.line == line
    assert "nested too deeply" in error.reason


def test_deep_nesting_in_a_json_array_refuses_the_file_naming_the_line():
    text = '[{"instruction": "a", "output": "b"},\n\n' + deep(5000) + "]"
    with pytest.raises(FileError, match=r"^line 3: nested too deeply"):
        read_rows(text.encode(), "a.json")
    with pytest.raises(FileError, match=r"^line 2: nested too deeply"):
        read_rows(("\n" + deep(5000)).encode(), "a.json")  # the whole array is too deep
    with pytest.raises(FileError, match=r"^line 3: nested too deeply"):
        read_rows(('\n\n{"a": ' + deep(5000) + "}").encode(), "a.json")  # not an array of examples at all


def test_the_example_size_limit_counts_utf8_bytes_of_every_field_and_turn():
    assert MAX_EXAMPLE_BYTES == 1_000_000
    assert size_problem(Record(instruction="a" * 1_000_000)) is None
    assert size_problem(Record(instruction="a" * 999_999, output="b" * 2)).startswith(
        "the example is 1,000,001 bytes of text; the limit is 1,000,000 bytes"
    )
    assert size_problem(Record(input="ü" * 400_000)) is None  # 800 kB
    assert size_problem(Record(input="ü" * 600_000)).startswith("the example is 1.2 MB of text; the limit is 1 MB")
    chat = Record.chat([{"role": "user", "content": "€" * 200_000}, {"role": "assistant", "content": "€" * 200_000}])
    assert "1.2 MB" in size_problem(chat)  # 3 bytes each
    assert size_problem(chat, max_example_bytes=None) is None
    assert size_problem(Record(output="x" * 11), max_example_bytes=10) == (
        "the example is 11 bytes of text; the limit is 10 bytes (the MAX_EXAMPLE_BYTES setting). Split it or shorten it"
    )


def test_an_oversized_example_is_a_line_error_in_every_format():
    big = "z" * 2000
    files = {
        "a.jsonl": f'{{"instruction": "ok", "output": "ok"}}\n{{"prompt": "{big}", "completion": "c"}}\n',
        "a.json": f'[{{"instruction": "ok", "output": "ok"}},\n{{"instruction": "i", "output": "{big}"}}]',
        "a.csv": f"instruction,output\nok,ok\ni,{big}\n",
    }
    for name, text in files.items():
        rows, errors = read_rows(text.encode(), name, max_example_bytes=1500)
        assert [r.line for r in rows] == [1] if name != "a.csv" else [2]
        (error,) = errors
        assert error.line == (2 if name != "a.csv" else 3), name
        assert error.reason.startswith("the example is 2,00"), error.reason
        assert "bytes of text; the limit is 1,500 bytes (the MAX_EXAMPLE_BYTES setting)" in error.reason
        assert read_rows(text.encode(), name, max_example_bytes=None)[1] == []


def test_preference_pairs_are_read_in_trl_form_and_with_an_instruction():
    data = (
        b'{"prompt": "Is 7 prime?", "chosen": "Yes: its only divisors are 1 and 7.", "rejected": "No."}\n'
        b'{"instruction": "Summarise the ticket.", "input": "My order 5 never came.", "chosen": "Order 5 missing.", "rejected": "A ticket."}\n'
    )
    rows, errors = read_rows(data, "prefs.jsonl")
    assert errors == []
    assert [r.form for r in rows] == ["preference", "preference"]
    first, second = rows[0].record, rows[1].record
    assert (first.instruction, first.output, first.rejected) == (
        "Is 7 prime?",
        "Yes: its only divisors are 1 and 7.",
        "No.",
    )
    assert first.is_preference and second.is_preference
    assert (second.input, second.output, second.rejected) == ("My order 5 never came.", "Order 5 missing.", "A ticket.")
    # the rejected answer is text a person wrote: the checks read it
    assert ("rejected", "No.") in first.texts()


def test_bad_preference_pairs_are_named_with_the_reason():
    data = (
        b'{"prompt": "q", "chosen": "same", "rejected": " same "}\n'
        b'{"prompt": "q", "chosen": "a", "rejected": ""}\n'
        b'{"prompt": "q", "chosen": "", "rejected": "b"}\n'
        b'{"chosen": "a", "rejected": "b"}\n'
        b'{"prompt": [{"role": "user", "content": "q"}], "chosen": [{"role": "assistant", "content": "a"}], "rejected": "b"}\n'
        b'{"prompt": "q", "chosen": "a", "rejected": 3}\n'
    )
    rows, errors = read_rows(data, "prefs.jsonl")
    assert rows == []
    assert [str(e) for e in errors] == [
        "line 1: “chosen” and “rejected” are the same text: a preference pair needs two different answers",
        "line 2: “rejected” is empty: a preference pair needs an answer to prefer the chosen one to",
        "line 3: “chosen” is empty: a preference pair needs the answer to prefer",
        "line 4: “prompt” is missing: a preference pair needs prompt, chosen and rejected",
        "line 5: “prompt” is a list of messages: preference pairs of chats are not supported; give prompt, chosen and rejected as text",
        "line 6: “rejected” must be text, not a number",
    ]


def test_preference_pairs_from_csv_and_exported_back():
    rows, errors = read_rows(b"prompt,chosen,rejected\nIs 7 prime?,Yes.,No.\n", "prefs.csv")
    assert errors == []
    record = rows[0].record
    assert to_object(record, "preference") == {"prompt": "Is 7 prime?", "chosen": "Yes.", "rejected": "No."}
    # a form without a rejected answer keeps the chosen one: what supervised fine-tuning learns
    assert to_object(record, "alpaca") == {"instruction": "Is 7 prime?", "input": "", "output": "Yes."}
    assert to_object(record, "chat")["messages"][-1] == {"role": "assistant", "content": "Yes."}
    with pytest.raises(ValueError, match="has no rejected answer"):
        to_object(Record(instruction="q", output="a"), "preference")
