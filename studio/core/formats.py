"""Reading and writing example files (plain Python).

Reads JSONL, JSON (an array of objects) and CSV, with rows in any of five forms:
alpaca (instruction, input, output), prompt/completion, OpenAI chat (messages), ShareGPT
(conversations with from/value) and preference pairs (prompt, chosen, rejected, as TRL's DPO
trainer reads them; instruction/input may stand for the prompt). A BOM, CRLF line ends, blank lines and any Unicode are fine.
Every problem names its line; callers decide whether any problem refuses the whole file
(imports are all-or-nothing).

Writes JSONL in alpaca, chat, prompt/completion and preference forms, and Hugging Face parquet.
A preference pair written in a form without a rejected answer keeps its chosen one (what
supervised fine-tuning learns from it).
"""

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

from studio.core.records import Record

MAX_BYTES = 50_000_000  # uploads through the browser or the API; the command line has no limit
# One example's text (every field, UTF-8) at most; the MAX_EXAMPLE_BYTES setting overrides it.
MAX_EXAMPLE_BYTES = 1_000_000
FORMS = ("alpaca", "prompt_completion", "chat", "sharegpt", "preference")
SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bing": "assistant",
    "bard": "assistant",
    "model": "assistant",
    "system": "system",
}


def json_error_place(e):
    """Python's message for a JSONDecodeError with its place: "Expecting value at line 1, column 5".
    Some of its messages end in "at" already ("Unterminated string starting at"): not "at at"."""
    return f"{e.msg.removesuffix(' at')} at line {e.lineno}, column {e.colno}"


class FileError(ValueError):
    """The file as a whole cannot be used (empty, not UTF-8, too large, wrong shape)."""


@dataclass(frozen=True)
class Row:
    line: int  # 1-based line of the file where the example starts
    record: Record
    form: str


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self):
        return f"line {self.line}: {self.reason}"


def _describe(value):
    return {
        dict: "an object",
        list: "a list",
        str: "text",
        bool: "true/false",
        type(None): "null",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _text(obj, key, required=True):
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        if value is None:
            raise ValueError(f"“{key}” is missing")
        raise ValueError(f"“{key}” must be text, not {_describe(value)}")
    return value


def _content(value, where):
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(
        isinstance(p, dict) and p.get("type") == "text" and isinstance(p.get("text"), str) for p in value
    ):
        return "".join(p["text"] for p in value)
    raise ValueError(f"{where} must be text, not {_describe(value)}")


def size_problem(record, max_example_bytes=MAX_EXAMPLE_BYTES):
    """Why an example is too large to keep (its text, every field and turn, in UTF-8), or None."""
    if max_example_bytes is None:
        return None
    texts = [t for _field, t in record.texts()]
    if sum(map(len, texts)) * 4 <= max_example_bytes:  # a character takes at most 4 bytes
        return None
    size = sum(len(t.encode("utf-8", "surrogatepass")) for t in texts)
    if size <= max_example_bytes:
        return None
    shown, limit = human_size(size), human_size(max_example_bytes)
    if shown == limit:  # rounded alike: say it exactly
        shown, limit = f"{size:,} bytes", f"{max_example_bytes:,} bytes"
    return (
        f"the example is {shown} of text; the limit is {limit} (the MAX_EXAMPLE_BYTES setting). Split it or shorten it"
    )


SURROGATE = re.compile("[\ud800-\udfff]")

# Deeper nesting is refused with a reason (orjson stops at 1024 levels; the standard library's
# parser would run out of stack near 1000 and end in a traceback).
TOO_DEEP = "nested too deeply ([ and { more than 1,000 levels inside each other); an example is an object of texts"


def loads_json(text):
    """One JSON value; ValueError with a plain reason (column, or nesting) when it is not one."""
    import orjson

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        pass
    try:
        return json.loads(text)  # the standard library words its errors better
    except json.JSONDecodeError as e:
        raise ValueError(f"not valid JSON: {e.msg} (column {e.colno})") from None
    except RecursionError:
        raise ValueError(TOO_DEEP) from None


def record_from_object(obj, max_example_bytes=MAX_EXAMPLE_BYTES):
    """(Record, form) for one row; ValueError with a plain reason when it fits no form or is
    larger than max_example_bytes (None: no limit)."""
    record, form = _record_from_object(obj)
    texts = [
        record.instruction,
        record.input,
        record.output,
        record.rejected,
        *(str(m.get("content") or "") + str(m.get("role") or "") for m in record.messages),
    ]
    if any("\x00" in t for t in texts):
        raise ValueError("contains a NUL character (\\u0000), which text cannot hold; remove it")
    if any(SURROGATE.search(t) for t in texts):
        raise ValueError(
            "contains an unpaired surrogate escape (\\ud800 to \\udfff), which is not text; fix the escape"
        )
    problem = size_problem(record, max_example_bytes)
    if problem:
        raise ValueError(problem)
    return record, form


def _record_from_object(obj):
    if not isinstance(obj, dict):
        raise ValueError(f"expected an object with fields, found {_describe(obj)}")
    if "messages" in obj:
        messages = obj["messages"]
        if not isinstance(messages, list) or not messages:
            raise ValueError("“messages” must be a non-empty list of {role, content} objects")
        turns = []
        for i, m in enumerate(messages, 1):
            if not isinstance(m, dict) or "role" not in m:
                raise ValueError(f"message {i} must be an object with “role” and “content”")
            turns.append({"role": m["role"], "content": _content(m.get("content"), f"the content of message {i}")})
        return Record.chat(turns), "chat"
    if "conversations" in obj:
        conversation = obj["conversations"]
        if not isinstance(conversation, list) or not conversation:
            raise ValueError("“conversations” must be a non-empty list of {from, value} objects")
        turns = []
        if isinstance(obj.get("system"), str) and obj["system"].strip():
            turns.append({"role": "system", "content": obj["system"]})
        for i, m in enumerate(conversation, 1):
            if not isinstance(m, dict) or "from" not in m:
                raise ValueError(f"turn {i} must be an object with “from” and “value”")
            speaker = str(m["from"]).lower()
            if speaker not in SHAREGPT_ROLES:
                raise ValueError(f"turn {i} is from “{m['from']}”; expected human, gpt or system")
            turns.append(
                {"role": SHAREGPT_ROLES[speaker], "content": _content(m.get("value"), f"the value of turn {i}")}
            )
        return Record.chat(turns), "sharegpt"
    if "chosen" in obj or "rejected" in obj:
        return _preference(obj), "preference"
    if "instruction" in obj or "output" in obj:
        return Record(
            instruction=_text(obj, "instruction"),
            input=_text(obj, "input", required=False),
            output=_text(obj, "output"),
        ), "alpaca"
    if "prompt" in obj or "completion" in obj:
        return Record(instruction=_text(obj, "prompt"), output=_text(obj, "completion")), "prompt_completion"
    keys = ", ".join(sorted(obj)) or "none"
    raise ValueError(
        f"no known fields: expected instruction/input/output, prompt/completion, messages, conversations or prompt/chosen/rejected (found {keys})"
    )


def _preference(obj):
    """A preference pair: prompt (or instruction and optional input), chosen, rejected."""
    for key in ("prompt", "chosen", "rejected"):
        if isinstance(obj.get(key), list):
            raise ValueError(
                f"“{key}” is a list of messages: preference pairs of chats are not supported; give prompt, chosen and rejected as text"
            )
    if "prompt" in obj:
        instruction, input_ = _text(obj, "prompt"), ""
    elif "instruction" in obj:
        instruction, input_ = _text(obj, "instruction"), _text(obj, "input", required=False)
    else:
        raise ValueError("“prompt” is missing: a preference pair needs prompt, chosen and rejected")
    chosen, rejected = _text(obj, "chosen"), _text(obj, "rejected")
    if not rejected.strip():
        raise ValueError("“rejected” is empty: a preference pair needs an answer to prefer the chosen one to")
    if not chosen.strip():
        raise ValueError("“chosen” is empty: a preference pair needs the answer to prefer")
    if chosen.strip() == rejected.strip():
        raise ValueError("“chosen” and “rejected” are the same text: a preference pair needs two different answers")
    return Record(instruction=instruction, input=input_, output=chosen, rejected=rejected)


def human_size(n):
    """12 bytes, 340 kB, 51.2 MB."""
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{n / 1000:.0f} kB"
    return f"{n / 1e6:.1f}".rstrip("0").rstrip(".") + " MB"


def decode(data, max_bytes=MAX_BYTES):
    if max_bytes is not None and len(data) > max_bytes:
        raise FileError(
            f"the file is {human_size(len(data))}; the limit is {human_size(max_bytes)}. Split it into smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise FileError(f"line {line}: not UTF-8 text (byte 0x{data[e.start]:02x}); save the file as UTF-8") from None
    return text


def detect_kind(filename, text):
    suffix = Path(filename or "").suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".json":
        return "json"
    if suffix in (".csv", ".tsv"):
        return "csv"
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json"
    if stripped.startswith("{"):
        return "jsonl"
    raise FileError(f"“{filename}”: cannot tell the format; name the file .jsonl, .json or .csv")


def split_lines(text):
    """Lines split on \n only (with a trailing \r dropped): JSON strings may hold U+2028 and
    other characters that str.splitlines() would break a line at."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _rows_jsonl(text, max_example_bytes):
    return rows_from_jsonl_lines(split_lines(text), first_line=1, max_example_bytes=max_example_bytes)


def rows_from_jsonl_lines(lines, first_line=1, max_example_bytes=MAX_EXAMPLE_BYTES):
    """(rows, line errors) for JSONL lines, numbered from first_line."""
    rows, errors = [], []
    for n, line in enumerate(lines, first_line):
        if not line.strip():
            continue
        try:
            obj = loads_json(line)
            record, form = record_from_object(obj, max_example_bytes)
        except ValueError as e:
            errors.append(LineError(n, str(e)))
            continue
        rows.append(Row(n, record, form))
    return rows, errors


def _rows_json(text, max_example_bytes):
    decoder = json.JSONDecoder()
    pos, line = 0, 1
    length = len(text)

    def skip_space(p):
        while p < length and text[p] in " \t\r\n":
            p += 1
        return p

    def line_at(p, since, since_line):
        return since_line + text.count("\n", since, p)

    pos = skip_space(pos)
    if pos >= length or text[pos] != "[":
        try:
            json.loads(text)
        except json.JSONDecodeError as e:
            raise FileError(f"line {e.lineno}: not valid JSON: {e.msg} (column {e.colno})") from None
        except RecursionError:
            raise FileError(f"line {text.count(chr(10), 0, pos) + 1}: {TOO_DEEP}") from None
        raise FileError("line 1: a .json file must hold a list of examples: [ {...}, {...} ]")
    rows, errors = [], []
    mark, mark_line = 0, 1
    pos = skip_space(pos + 1)
    if pos < length and text[pos] == "]":
        return rows, errors
    while True:
        line = line_at(pos, mark, mark_line)
        mark, mark_line = pos, line
        try:
            obj, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise FileError(f"line {e.lineno}: not valid JSON: {e.msg} (column {e.colno})") from None
        except RecursionError:
            raise FileError(f"line {line}: {TOO_DEEP}") from None
        try:
            record, form = record_from_object(obj, max_example_bytes)
            rows.append(Row(line, record, form))
        except ValueError as e:
            errors.append(LineError(line, str(e)))
        pos = skip_space(end)
        if pos < length and text[pos] == ",":
            pos = skip_space(pos + 1)
            continue
        if pos < length and text[pos] == "]":
            break
        bad_line = line_at(pos, mark, mark_line)
        raise FileError(f"line {bad_line}: expected “,” or “]” between examples")
    if skip_space(pos + 1) < length:
        raise FileError(f"line {line_at(skip_space(pos + 1), mark, mark_line)}: unexpected text after the closing “]”")
    return rows, errors


def _rows_csv(text, delimiter, max_example_bytes):
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = reader.fieldnames
    except csv.Error as e:
        raise FileError(f"line 1: not a readable CSV header ({e})") from None
    if not header:
        raise FileError("the file is empty")
    columns = {h.strip() for h in header if h}
    if not (
        {"instruction", "output"} <= columns
        or {"prompt", "completion"} <= columns
        or "messages" in columns
        or {"chosen", "rejected"} <= columns
    ):
        raise FileError(
            f"line 1: the header must name instruction,input,output or prompt,completion or messages or prompt,chosen,rejected (found {', '.join(header)})"
        )
    rows, errors = [], []
    start = 2
    while True:
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as e:
            errors.append(LineError(start, f"not readable as CSV ({e})"))
            break
        line, start = start, reader.line_num + 1
        if None in raw:
            errors.append(LineError(line, f"{len(header) + len(raw[None])} values for {len(header)} columns"))
            continue
        obj = {k.strip(): v for k, v in raw.items() if k}
        if all(not (v or "").strip() for v in obj.values()):
            continue  # blank line
        if "messages" in obj:
            try:
                obj["messages"] = loads_json(obj["messages"] or "null")
            except ValueError as e:
                errors.append(LineError(line, f"the messages column is {e}"))
                continue
        else:
            obj = {k: v for k, v in obj.items() if v is not None}
        try:
            record, form = record_from_object(obj, max_example_bytes)
        except ValueError as e:
            errors.append(LineError(line, str(e)))
            continue
        rows.append(Row(line, record, form))
    return rows, errors


def read_rows(data, filename="", max_bytes=MAX_BYTES, max_example_bytes=MAX_EXAMPLE_BYTES):
    """(rows, line errors) of a file's bytes. Raises FileError when the file as a whole is unusable.
    An example nested too deeply or larger than max_example_bytes (None: no limit) is a line error."""
    text = decode(data, max_bytes)
    if not text.strip():
        raise FileError("the file is empty")
    kind = detect_kind(filename, text)
    if kind == "jsonl":
        rows, errors = _rows_jsonl(text, max_example_bytes)
    elif kind == "json":
        rows, errors = _rows_json(text, max_example_bytes)
    else:
        delimiter = "\t" if Path(filename or "").suffix.lower() == ".tsv" else ","
        rows, errors = _rows_csv(text, delimiter, max_example_bytes)
    if not rows and not errors:
        raise FileError("the file holds no examples")
    return rows, errors


# --- writing ---------------------------------------------------------------------------------

EXPORT_FORMS = ("alpaca", "chat", "prompt_completion", "preference")


def prompt_text(record):
    """An instruction/input record's prompt as one text: the instruction, a blank line, the input."""
    return record.instruction if not record.input else f"{record.instruction}\n\n{record.input}"


def to_chat(record):
    if record.is_chat:
        return [dict(m) for m in record.messages]
    return [{"role": "user", "content": prompt_text(record)}, {"role": "assistant", "content": record.output}]


def to_object(record, form):
    """One exported row; ValueError when the record cannot take that form."""
    if form == "preference":
        if not record.is_preference:
            raise ValueError(
                "has no rejected answer, so no preference form; export it as alpaca, chat or prompt/completion"
            )
        return {"prompt": prompt_text(record), "chosen": record.output, "rejected": record.rejected}
    if form == "chat":
        return {"messages": to_chat(record)}
    if record.is_chat:
        turns = [m for m in record.messages if m["role"] != "system"]
        system = [m["content"] for m in record.messages if m["role"] == "system"]
        if len(turns) != 2:
            raise ValueError(f"a chat of {len(turns)} turns has no {form} form; export it as chat")
        instruction, output = turns[0]["content"], turns[1]["content"]
        if system:
            instruction = f"{system[0]}\n\n{instruction}"
        record = Record(instruction=instruction, output=output)
    if form == "alpaca":
        return {"instruction": record.instruction, "input": record.input, "output": record.output}
    if form == "prompt_completion":
        return {"prompt": prompt_text(record), "completion": record.output}
    raise ValueError(f"unknown export form {form!r}; choose one of {', '.join(EXPORT_FORMS)}")


def write_jsonl(records, form, out):
    """Write records to a text stream as JSONL in form; returns the count."""
    n = 0
    for record in records:
        out.write(json.dumps(to_object(record, form), ensure_ascii=False) + "\n")
        n += 1
    return n


def write_parquet(records, path):
    """A parquet file that `datasets.load_dataset("parquet", ...)` reads: instruction, input,
    output, rejected (a preference pair's, else empty) and messages as a list of {role, content}."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = list(records)
    message_type = pa.list_(pa.struct([("role", pa.string()), ("content", pa.string())]))
    table = pa.table(
        {
            "instruction": pa.array([r.instruction for r in records], pa.string()),
            "input": pa.array([r.input for r in records], pa.string()),
            "output": pa.array([r.answer() for r in records], pa.string()),
            "rejected": pa.array([r.rejected for r in records], pa.string()),
            "messages": pa.array([to_chat(r) for r in records], message_type),
        }
    )
    pq.write_table(table, path)
    return len(records)
