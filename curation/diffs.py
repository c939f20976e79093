"""Readable differences between two versions of an example's text."""

import difflib
import re

TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
MAX_CHARS = 20_000  # beyond this, the diff shows the start only


def _as_text(content):
    if content.get("messages"):
        return {"chat": "\n\n".join(f"[{m.get('role')}]\n{m.get('content')}" for m in content["messages"])}
    return {k: content.get(k) or "" for k in ("instruction", "input", "output", "rejected")}


def content_diff(a, b):
    """[(field, [(op, text)])] for the fields that differ; op is equal, delete or insert."""
    a, b = _as_text(a), _as_text(b)
    out = []
    for field in sorted(set(a) | set(b), key=["instruction", "input", "output", "rejected", "chat"].index):
        x, y = a.get(field, ""), b.get(field, "")
        if x == y:
            continue
        parts = []
        # words and spaces, not characters: fast on long texts and easier to read
        x, y = TOKEN_RE.findall(x[:MAX_CHARS]), TOKEN_RE.findall(y[:MAX_CHARS])
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, x, y, autojunk=False).get_opcodes():
            if op == "equal":
                parts.append(("equal", "".join(x[i1:i2])))
            else:
                if i2 > i1:
                    parts.append(("delete", "".join(x[i1:i2])))
                if j2 > j1:
                    parts.append(("insert", "".join(y[j1:j2])))
        out.append((field, parts))
    return out
