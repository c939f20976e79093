"""A project's format rules, set by its lead, and the checks they imply (plain Python)."""

import json
import re
from dataclasses import asdict, dataclass, field, fields
from functools import lru_cache

import regex  # like the standard module, but a match can be given a time limit

from studio.core.formats import json_error_place

# A lead's pattern runs on every saved example; one that backtracks catastrophically (say
# `(a|aa)+$` on a long line of a's) gives up after this long with a finding instead of stalling
# the save, the import or the check.
REGEX_TIMEOUT_SECONDS = 0.5
SCHEMA_ERRORS_SHOWN = 3


class RulesError(ValueError):
    """A rule that cannot be used; `field` names it."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class FormatRules:
    output_json: bool = False
    json_schema: dict | None = None  # only with output_json
    output_regex: str = ""  # the whole output must match
    min_output_chars: int = 0
    max_output_chars: int = 0  # 0: no limit
    min_output_tokens: int = 0
    max_output_tokens: int = 0
    max_total_tokens: int = 0  # prompt and answer together, in the base model's tokens
    input_required: bool = False
    banned_phrases: tuple = field(default_factory=tuple)
    # Instruction quality (warnings), with the seed guide's thresholds; 0 turns one off.
    min_instruction_chars: int = 10
    max_instruction_chars: int = 1000
    min_answer_chars: int = 5

    @classmethod
    def from_dict(cls, data):
        """Rules from stored or submitted values; raises RulesError naming the bad field.

        The same values give the same rules object (it is immutable), built once per process: every
        save checks its example against the project's rules, and building them means checking the
        JSON Schema against its meta-schema and compiling its validator, several milliseconds."""
        try:
            key = json.dumps(data or {}, sort_keys=True)
        except (TypeError, ValueError):  # not plain JSON: built each time
            return cls._build(data)
        return _rules_from_json(cls, key)

    @classmethod
    def _build(cls, data):
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RulesError(unknown[0], "is not a format rule")
        for name in (
            "min_output_chars",
            "max_output_chars",
            "min_output_tokens",
            "max_output_tokens",
            "max_total_tokens",
            "min_instruction_chars",
            "max_instruction_chars",
            "min_answer_chars",
        ):
            value = data.get(name, getattr(cls, name))
            value = 0 if value is None else value
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise RulesError(name, f"must be a whole number of 0 or more, not {value!r}")
            data[name] = value
        for low, high in (("min_output_chars", "max_output_chars"), ("min_output_tokens", "max_output_tokens")):
            if data[high] and data[low] > data[high]:
                raise RulesError(low, f"{data[low]} is more than the maximum {data[high]}")
        phrases = data.get("banned_phrases") or ()
        if isinstance(phrases, str):
            phrases = phrases.splitlines()
        data["banned_phrases"] = tuple(p.strip() for p in phrases if p and p.strip())
        rules = cls(**data)
        rules.validate()
        return rules

    def as_dict(self):
        data = asdict(self)
        data["banned_phrases"] = list(self.banned_phrases)
        return data

    def validate(self):
        if self.output_regex:
            try:
                re.compile(self.output_regex)
            except re.error as e:
                raise RulesError("output_regex", f"not a valid regular expression ({e})") from None
            try:
                regex.compile(self.output_regex)
            except regex.error as e:
                raise RulesError("output_regex", f"not a valid regular expression ({e})") from None
        if self.json_schema is not None:
            if not self.output_json:
                raise RulesError("json_schema", "a schema needs “output must be JSON” switched on")
            if not isinstance(self.json_schema, dict):
                raise RulesError("json_schema", "must be a JSON object")
            from jsonschema import exceptions, validators

            try:
                validators.validator_for(self.json_schema).check_schema(self.json_schema)
            except exceptions.SchemaError as e:
                raise RulesError("json_schema", f"not a valid JSON Schema ({e.message})") from None

    def __post_init__(self):
        # Compiled once: the checks run for every example of a dataset. (A rule that does not
        # compile is reported by validate(); until then it simply has no compiled form.)
        try:
            compiled = regex.compile(self.output_regex, regex.DOTALL) if self.output_regex else None
        except regex.error:
            compiled = None
        object.__setattr__(self, "_regex", compiled)
        object.__setattr__(self, "_banned", [(p, p.casefold()) for p in self.banned_phrases])
        object.__setattr__(self, "_validator_cache", [])

    @property
    def _validator(self):
        if not self.json_schema:
            return None
        if not self._validator_cache:
            from jsonschema import FormatChecker, validators

            cls = validators.validator_for(self.json_schema)
            self._validator_cache.append(cls(self.json_schema, format_checker=FormatChecker()))
        return self._validator_cache[0]

    def check_output(self, output):
        """Messages for every rule the output breaks."""
        if not (self.output_json or self._regex or self.min_output_chars or self.max_output_chars or self._banned):
            return []
        problems = []
        if self.output_json:
            try:
                value = json.loads(output)
            except json.JSONDecodeError as e:
                problems.append(f"output is not valid JSON: {json_error_place(e)}")
            except RecursionError:
                problems.append("output is JSON nested too deeply (more than 1,000 levels) to read")
            else:
                if self._validator is not None:
                    errors = sorted(self._validator.iter_errors(value), key=lambda e: list(e.absolute_path))
                    # three in full; a fourth too rather than "and 1 more", which would hide it
                    shown = errors if len(errors) <= SCHEMA_ERRORS_SHOWN + 1 else errors[:SCHEMA_ERRORS_SHOWN]
                    for error in shown:
                        where = error.json_path if error.absolute_path else "the top level"
                        problems.append(f"output breaks the JSON Schema at {where}: {error.message}")
                    if len(errors) > len(shown):
                        problems.append(
                            f"… and {len(errors) - len(shown)} more schema errors, shown once these are fixed"
                        )
        if self._regex is not None:
            try:
                matched = self._regex.fullmatch(output, timeout=REGEX_TIMEOUT_SECONDS)
            except TimeoutError:
                problems.append(
                    f"output could not be checked against the pattern {self.output_regex}: it took longer than "
                    f"{REGEX_TIMEOUT_SECONDS:g} s (nested repetition such as (a+)+ backtracks without end); simplify the pattern"
                )
            else:
                if not matched:
                    problems.append(f"output does not match the pattern {self.output_regex}")
        n = len(output)
        if self.min_output_chars and n < self.min_output_chars:
            problems.append(f"output has {n} characters, fewer than the minimum {self.min_output_chars}")
        if self.max_output_chars and n > self.max_output_chars:
            problems.append(f"output has {n:,} characters, more than the maximum {self.max_output_chars:,}")
        folded = output.casefold()
        for phrase, phrase_folded in self._banned:
            if phrase_folded in folded:
                problems.append(f"output contains the banned phrase “{phrase}”")
        return problems


@lru_cache(maxsize=64)
def _rules_from_json(cls, text):
    return cls._build(json.loads(text))
