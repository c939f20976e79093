import json

from django import forms
from django.conf import settings

from curation.core.rules import FormatRules, RulesError
from curation.models import Example, ReviewComment
from studio.core.formats import EXPORT_FORMS, json_error_place, size_problem
from studio.core.records import Record

ROLES = [("user", "user"), ("assistant", "assistant"), ("system", "system")]


class ExampleForm(forms.Form):
    """Instruction/input/output, or chat turns posted as role_N/content_N; views read `content`."""

    # strip=False: leading spaces and newlines are content (code, poems, formatted answers)
    instruction = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 3}))
    input = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4}), label="Input (optional)"
    )
    output = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6}))
    rejected = forms.CharField(
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Rejected answer",
        help_text="A worse answer to the same prompt. With one, the example is a preference pair: the output above is "
        "the chosen answer, and a preference run (DPO) learns to prefer it to this one. Supervised runs learn the output.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # a new example's form carries a token of its own: sent twice, it still creates one example
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, chat=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.chat = chat
        if (self.data.get("rejected") if self.is_bound else (self.initial.get("rejected"))) or "":
            self.fields["output"].label = "Output (the chosen answer)"

    def turns(self):
        """The posted chat turns, blanks dropped (the editor always offers one blank turn)."""
        data = self.data
        # in the order of their numbers, which may have gaps: turns removed in the page leave them
        numbers = sorted(int(key[5:]) for key in data if key.startswith("role_") and key[5:].isdigit())
        turns = []
        for i in numbers[:1000]:
            role, content = data.get(f"role_{i}", ""), data.get(f"content_{i}", "")
            if content.strip():
                turns.append({"role": role, "content": content.replace("\r\n", "\n")})
        return turns

    def clean(self):
        cleaned = super().clean()
        if self.chat:
            turns = self.turns()
            if not turns:
                raise forms.ValidationError("Write at least one turn.")
            cleaned["content"] = {"instruction": "", "input": "", "output": "", "messages": turns, "rejected": ""}
        else:
            fields = ("instruction", "input", "output", "rejected")
            content = {k: (cleaned.get(k) or "").replace("\r\n", "\n") for k in fields}
            if not any(v.strip() for v in content.values()):
                raise forms.ValidationError("Write an instruction and an output.")
            if content["rejected"].strip() and content["rejected"].strip() == content["output"].strip():
                raise forms.ValidationError(
                    "The rejected answer is the same as the output: a preference pair needs a better and a worse answer."
                )
            if not content["rejected"].strip():
                content["rejected"] = ""  # spaces alone do not make a preference pair
            cleaned["content"] = {**content, "messages": None}
        content = cleaned["content"]
        record = Record.chat(content["messages"]) if content["messages"] else Record(**{**content, "messages": ()})
        problem = size_problem(record, settings.MAX_EXAMPLE_BYTES)
        if problem:
            raise forms.ValidationError(f"Not saved: {problem}.")
        return cleaned


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[c for c in ReviewComment.Decision.choices if c[0] != "comment"])
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Comment")
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") in ("request_changes", "reject") and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Say what should change (or why it is rejected): the author will read it.")
        return cleaned


class FormatRulesForm(forms.Form):
    output_json = forms.BooleanField(required=False, label="Output must be JSON")
    json_schema = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        label="JSON Schema for the output",
        help_text="Optional. Formats such as email and date are checked too.",
    )
    output_regex = forms.CharField(
        required=False,
        label="Output must match this regular expression",
        help_text="The whole output must match, e.g. (yes|no)",
    )
    min_output_chars = forms.IntegerField(required=False, min_value=0, label="Minimum output length (characters)")
    max_output_chars = forms.IntegerField(required=False, min_value=0, label="Maximum output length (characters)")
    min_output_tokens = forms.IntegerField(required=False, min_value=0, label="Minimum output length (tokens)")
    max_output_tokens = forms.IntegerField(required=False, min_value=0, label="Maximum output length (tokens)")
    max_total_tokens = forms.IntegerField(
        required=False,
        min_value=0,
        label="Token budget for the whole example",
        help_text="Prompt and answer together, in the base model's tokens; longer examples would be cut off in training.",
    )
    input_required = forms.BooleanField(required=False, label="Every example needs an input")
    banned_phrases = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Banned phrases",
        help_text="One per line, e.g. “As an AI language model”.",
    )
    min_instruction_chars = forms.IntegerField(
        required=False,
        min_value=0,
        label="Warn when an instruction is shorter than (characters)",
        help_text="Quality warnings, not errors; 0 turns one off. Vague instructions (“Help”, “Do it”) are always flagged.",
    )
    max_instruction_chars = forms.IntegerField(
        required=False, min_value=0, label="Warn when an instruction is longer than (characters)"
    )
    min_answer_chars = forms.IntegerField(
        required=False, min_value=0, label="Warn when an answer is shorter than (characters)"
    )

    @classmethod
    def initial_from(cls, rules):
        data = rules.as_dict()
        data["json_schema"] = json.dumps(rules.json_schema, indent=2) if rules.json_schema else ""
        data["banned_phrases"] = "\n".join(rules.banned_phrases)
        return data

    def clean(self):
        cleaned = super().clean()
        data = {k: v for k, v in cleaned.items() if v not in (None, "")}
        schema = data.pop("json_schema", "")
        if schema:
            try:
                data["json_schema"] = json.loads(schema)
            except json.JSONDecodeError as e:
                self.add_error("json_schema", f"Not valid JSON: {json_error_place(e)}.")
                return cleaned
        try:
            cleaned["rules"] = FormatRules.from_dict(data)
        except RulesError as e:
            self.add_error(e.field if e.field in self.fields else None, e.message[0].upper() + e.message[1:] + ".")
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="JSONL, JSON or CSV: alpaca (instruction/input/output), prompt/completion, OpenAI chat (messages), "
        "ShareGPT (conversations) or preference pairs (prompt/chosen/rejected)."
    )
    status = forms.ChoiceField(
        choices=[(Example.Status.DRAFT, "Drafts"), (Example.Status.SUBMITTED, "Submitted for review")],
        initial=Example.Status.DRAFT,
        label="Import as",
    )


class ExportForm(forms.Form):
    form = forms.ChoiceField(
        choices=[
            (
                f,
                "preference (prompt/chosen/rejected): the preference pairs only"
                if f == "preference"
                else f.replace("_", "/"),
            )
            for f in EXPORT_FORMS
        ]
        + [("parquet", "parquet (Hugging Face datasets)")],
        label="Format",
        help_text="A preference pair exported as alpaca, chat or prompt/completion keeps its chosen answer.",
    )
    status = forms.ChoiceField(
        choices=[("approved", "Approved only"), ("all", "Every example that is not deleted")], initial="approved"
    )


class FreezeForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="e.g. “v3, after the March review round”")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    train = forms.IntegerField(min_value=1, max_value=100, initial=80, label="Train %")
    validation = forms.IntegerField(min_value=0, max_value=99, initial=10, label="Validation %")
    test = forms.IntegerField(min_value=0, max_value=99, initial=10, label="Test %")
    seed = forms.IntegerField(
        initial=0,
        help_text="The same approved examples with the same seed give the same splits; it orders only new examples once a version exists.",
    )
    stratify_field = forms.ChoiceField(
        required=False,
        label="Stratify by",
        help_text="A field of the JSON answers: each split keeps the same mix of its values.",
    )
    findings_override = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Freeze although approved examples carry errors, because…",
    )
    leakage_override = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Freeze although test examples resemble training examples, because…",
    )
    resplit_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Re-split every example from scratch (test and validation examples may move into train), because…",
        help_text="Leave empty to keep the previous version's splits.",
    )

    def __init__(self, *args, fields_available=(), project=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.fields["stratify_field"].choices = [("", "Nothing (a plain random split)")] + [
            (f, f) for f in fields_available
        ]

    def clean_name(self):
        from curation.models import DatasetVersion

        name = self.cleaned_data["name"].strip()
        if DatasetVersion.objects.filter(project=self.project, name=name).exists():
            raise forms.ValidationError(
                f"A version called “{name}” exists already; versions never change, so pick a new name."
            )
        return name

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(k) for k in ("train", "validation", "test")]
        if None not in parts and sum(parts) != 100:
            raise forms.ValidationError(f"Train, validation and test must add up to 100%, not {sum(parts)}%.")
        return cleaned
