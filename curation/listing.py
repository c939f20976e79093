"""Filtering and keyset paging of a project's examples (no COUNT, no deep OFFSET)."""

import json
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Func, Q, TextField, Value

from curation.models import Example, Finding, PairFinding
from studio.signals import hidden_run_ids

PAGE_SIZE = 50
PREVIEW_CHARS = 140
PAIR_KINDS = ("duplicate", "contradiction")
SINGLE_KINDS = ("format", "length", "quality", "repetition", "pii")


class ChatContents(Func):
    """The contents of a chat's turns as the text of a JSON array of strings, without the roles
    and keys (searching "assistant" must not find every chat). Compare it with `as_json_text` of
    the words sought. PostgreSQL answers a search in it from a trigram index (migration 0015)."""

    output_field = TextField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(jsonb_path_query_array(%(expressions)s, '$[*].content'))::text", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="(SELECT json_group_array(json_extract(value, '$.content')) FROM json_each(%(expressions)s))",
            **extra,
        )


# Letters NFKD does not take apart, folded as PostgreSQL's unaccent rules fold them.
_FOLD_EXTRA = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
    }
)


def fold(text):
    """`text` upper-cased without its accents: "Chloé" and "CHLOE" fold alike, so a search finds
    either way of writing a name. SQLite's `studio_fold` (registered in CurationConfig.ready);
    PostgreSQL's is unaccent's rules behind an immutable function (migration 0019)."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


class Folded(Func):
    """`studio_fold(expression)`: the text as `fold` gives it. The trigram indexes of migration 0019
    are on exactly these expressions, and a constant folded on the same side of the query stays a
    constant to the planner (the function is immutable), so a search is answered from them."""

    function = "studio_fold"
    output_field = TextField()


def visible(examples, membership):
    """`examples` without the drafts holding the output of a run this member may not see (a rater
    of an open blind study of it: studio.signals.hidden_run_ids; see Example.origin_run_id)."""
    hidden = hidden_run_ids(membership)
    return examples.exclude(origin_run_id__in=hidden) if hidden else examples


def hidden_example_ids(project, membership):
    """The ids of the project's examples `membership` may not see (see `visible`): for leaving out
    the pair findings and similar examples that would show their text. Empty for most members."""
    hidden = hidden_run_ids(membership) if membership is not None else ()
    if not hidden:
        return frozenset()
    return frozenset(Example.objects.filter(project=project, origin_run_id__in=hidden).values_list("id", flat=True))


def as_json_text(words):
    """`words` as they appear inside a JSON string (quotes, backslashes, newlines escaped)."""
    return json.dumps(words, ensure_ascii=False)[1:-1]


@dataclass
class Filters:
    status: str = ""
    author: str = ""
    finding: str = ""
    q: str = ""
    trash: bool = False
    label: str = ""  # "field=value": JSON answers whose top-level field holds that value
    synthetic: str = ""  # "any": generated examples; digits: those of one synthesis job; "none": written ones

    @classmethod
    def from_query(cls, params):
        status = params.get("status", "")
        finding = params.get("finding", "")
        return cls(
            status=status if status in Example.Status.values else "",
            author=params.get("author", "").strip()[:150],
            finding=finding if finding in PAIR_KINDS + SINGLE_KINDS + ("any", "none") else "",
            q=params.get("q", "").strip()[:200],
            trash=params.get("trash") == "1",
            label=(lambda v: v if "=" in v and not v.startswith("=") else "")(params.get("label", "").strip()[:200]),
            synthetic=(lambda v: v if v in ("any", "none") or v.isdigit() else "")(params.get("synthetic", "")[:12]),
        )

    def as_query(self):
        return {
            k: v
            for k, v in (
                ("status", self.status),
                ("author", self.author),
                ("finding", self.finding),
                ("q", self.q),
                ("trash", "1" if self.trash else ""),
                ("label", self.label),
                ("synthetic", self.synthetic),
            )
            if v
        }

    def apply(self, project):
        qs = Example.objects.filter(project=project, deleted_at__isnull=not self.trash)
        if membership := getattr(project, "membership", None):  # a request's: blinded drafts left out
            qs = visible(qs, membership)
        if self.status:
            qs = qs.filter(status=self.status)
        if self.author:
            qs = qs.filter(author__username=self.author)
        if self.finding in SINGLE_KINDS:
            qs = qs.filter(id__in=Finding.objects.filter(project=project, kind=self.finding).values("example_id"))
        elif self.finding in PAIR_KINDS:
            pairs = PairFinding.objects.filter(project=project, kind=self.finding)
            qs = qs.filter(Q(id__in=pairs.values("low_id")) | Q(id__in=pairs.values("high_id")))
        elif self.finding in ("any", "none"):
            pairs = PairFinding.objects.filter(project=project)
            found = (
                Q(id__in=Finding.objects.filter(project=project).values("example_id"))
                | Q(id__in=pairs.values("low_id"))
                | Q(id__in=pairs.values("high_id"))
            )
            qs = qs.filter(found) if self.finding == "any" else qs.exclude(found)
        if self.label:
            qs = qs.filter(output__regex=label_pattern(*self.label.split("=", 1)))
        if self.synthetic == "any":
            qs = qs.filter(synthetic__isnull=False)
        elif self.synthetic == "none":
            qs = qs.filter(synthetic__isnull=True)
        elif self.synthetic:
            qs = qs.filter(synthetic__job=int(self.synthetic))
        if self.q:
            qs = qs.alias(
                folded_instruction=Folded("instruction"),
                folded_input=Folded("input"),
                folded_output=Folded("output"),
                folded_chat=Folded(ChatContents("messages")),
            )
            if self.q.lstrip("#").isdigit():
                return qs.filter(Q(id=int(self.q.lstrip("#"))) | self._anywhere(self.q))
            for term in search_terms(self.q):  # every word (or "quoted phrase") somewhere in the example
                qs = qs.filter(self._anywhere(term))
        return qs

    @staticmethod
    def _anywhere(term):
        """`term` in any text of an example, case and accents aside ("chloe" finds "Chloé")."""
        sought, in_chats = Folded(Value(term)), Folded(Value(as_json_text(term)))
        return (
            Q(folded_instruction__contains=sought)
            | Q(folded_input__contains=sought)
            | Q(folded_output__contains=sought)
            | Q(folded_chat__contains=in_chats)
        )


def search_terms(q, most=8):
    """The words of a search, each to be found somewhere in an example ("box damaged" finds "the
    box arrived damaged"); a "quoted phrase" stays whole. At most `most` terms."""
    terms = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', q):
        term = (phrase or word).strip()
        if term and term not in terms:
            terms.append(term)
    return terms[:most]


def label_pattern(field, value):
    """A regular expression (PostgreSQL's and Python's alike) for a JSON answer whose `field` holds
    `value`, as a string or as a bare number or boolean: `"priority": "low"`, `"stars":3}`."""
    key = re.escape(json.dumps(field, ensure_ascii=False)[1:-1])
    text = re.escape(json.dumps(value, ensure_ascii=False)[1:-1])
    return r'"' + key + r'"\s*:\s*("' + text + r'"|' + text + r"\s*[,}])"


def page(qs, after=None, before=None, size=PAGE_SIZE):
    """(rows newest first, id for the next page or None, id for the previous page or None)."""
    if before:
        rows = list(qs.filter(id__gt=before).order_by("id")[: size + 1])
        has_newer = len(rows) > size
        rows = rows[:size][::-1]
        return rows, (rows[-1].id if rows else None), (rows[0].id if rows and has_newer else None)
    if after:
        qs = qs.filter(id__lt=after)
    rows = list(qs.order_by("-id")[: size + 1])
    has_older = len(rows) > size
    rows = rows[:size]
    return rows, (rows[-1].id if has_older else None), (rows[0].id if rows and after else None)


def finding_badges(rows):
    """{example id: [(kind, severity)]} for the rows on a page, in two queries."""
    ids = [r.id for r in rows]
    badges = {i: {} for i in ids}
    for example_id, kind, severity in Finding.objects.filter(example_id__in=ids).values_list(
        "example_id", "kind", "severity"
    ):
        if badges[example_id].get(kind) != "error":
            badges[example_id][kind] = severity
    pairs = PairFinding.objects.filter(Q(low_id__in=ids) | Q(high_id__in=ids)).values_list("low_id", "high_id", "kind")
    for low, high, kind in pairs:
        for i in (low, high):
            if i in badges:
                badges[i][kind] = "error" if kind == "contradiction" else "warning"
    return {i: sorted(b.items()) for i, b in badges.items()}


def clip(text, limit):
    """`text` cut to `limit` characters, the last one an ellipsis when cut. What the template
    filter truncatechars shows, without its scan of every character for combining marks: the list
    shows a hundred of these per page, and that scan was an eighth of the page's CPU."""
    text = text or ""
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def add_previews(rows):
    """Give each row the text the list shows: `preview` (the chat's first user turn, the input, or
    the instruction) and `note` (the instruction under an input)."""
    for e in rows:
        if e.messages:
            e.preview, e.note = clip(e.first_user_turn(), PREVIEW_CHARS), ""
        elif e.input:
            e.preview, e.note = clip(e.input, PREVIEW_CHARS), clip(e.instruction, 80)
        else:
            e.preview, e.note = clip(e.instruction, PREVIEW_CHARS), ""
    return rows
