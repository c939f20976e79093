"""Checks against the database: one example on save, or a whole project in a scan.

The checks themselves are curation/core; this module loads what they need (rules, tokenizer,
neighbours) and stores what they find.
"""

import itertools

import numpy as np
from django.db import transaction
from django.db.models import Count, Q

from curation import vectors
from curation.core import semantic
from curation.core.answer_comparison import (
    answers_echo_prompts,
    compare_records,
    edited_answer,
    negating_edit,
    reworded_answer,
    reworded_view,
)
from curation.core.bucket_keys import stored_keys
from curation.core.checks import check_record
from curation.core.clusters import (
    ANCHOR_MOST,
    EDIT_BUCKET_MOST,
    FACT_SHARED_MEANING,
    INPUT_RECORD_MOST,
    NEIGHBOURS,
    REWORDED_MOST,
    SHARED_CONTEXT_MOST,
    TASK_NOTE,
    anchored_floor,
    answer_keys,
    cluster_pairs,
    context_match,
    edit_keys,
    edited_candidate,
    fact_alike,
    fact_keys,
    fact_match,
    input_keys,
    input_task_match,
    neighbour_kept,
    number_keys,
    record_match,
    reworded_floor,
    semantic_useful,
    specific_record,
    text_anchor,
    vouching_anchor,
)
from curation.core.clusters import (
    record_keys as input_record_keys,
)
from curation.core.dataset import check_all
from curation.core.facts import fact_of, named_detail
from curation.core.prompt_comparison import is_typo, one_word_apart, prompt_words
from curation.core.prompt_match import (
    CANDIDATE,
    SAME_MEANING,
    PromptView,
    edit_vouched_match,
    labelled_apart,
    match,
    may_contradict,
    other_intent,
    plain_text,
    wording_similarity,
)
from curation.core.rules import FormatRules
from curation.models import Example, ExampleKey, Finding, FormatRuleSet, PairFinding, SilencedPair
from studio.core import prompts
from studio.core.records import Record

BIG_BUCKET = 200  # a key shared by more examples than this is a template: match removed words only


def project_rules(project):
    row = FormatRuleSet.objects.filter(project=project).first()
    return FormatRules.from_dict(row.rules) if row else FormatRules()


def token_counter(project):
    """Counts tokens with the project's base-model tokenizer, or None when there is none."""
    base = project.base_model
    if base is None or base.status != "ready":
        return None
    return prompts.token_counter(base.path)


def example_label(example_id):
    return f"#{example_id}"


def _keys_for(example):
    context, query = prompt_words(example.record())
    return (context, query), stored_keys(context, query)


def _answer_key(example):
    """The example's answer key (clusters.answer_keys), 0 for an answer too plain to vouch."""
    return int(answer_keys([example.record()])[0])


def _edit_keys(example):
    """The example's answer edit keys (clusters.edit_keys), as the scan works them out."""
    record = example.record()
    return edit_keys([record], number_keys([record]))[0] + input_keys(record) + fact_keys(record)


def _store_keys(example, near, answer, edits=()):
    """Keep the example's index keys: its prompt's near keys, its answer key (0: none) and its
    answer's edit keys. Only the kinds that changed are written again (an edited answer leaves
    the prompt's keys as they are)."""
    wanted = (
        {("near", k, w[:100]) for k, w in near}
        | ({("ans", answer, "")} if answer else set())
        | {("edit", k, "") for k in edits}
    )
    stored = set(ExampleKey.objects.filter(example=example).values_list("kind", "key", "removed"))
    if stored == wanted:
        return  # neither the prompt nor the answer changed: one read instead of two writes
    changed = {kind for kind, _, _ in stored ^ wanted}
    ExampleKey.objects.filter(example=example, kind__in=changed).delete()
    ExampleKey.objects.bulk_create(
        [
            ExampleKey(project_id=example.project_id, example=example, kind=kind, key=k, removed=removed)
            for kind, k, removed in wanted
            if kind in changed
        ]
    )


def _near_candidates(example, near, answer=0, edits=(), record=(), task=()):
    """Ids of examples sharing a near key, with template-sized buckets narrowed to removed
    words that could be typos of this example's; with `answer` (this example's answer key), also
    (in the same query) the ids of the examples with that answer, kept when few enough share it
    to vouch for the prompts asking the same thing (clusters.ANCHOR_MOST, as the scan counts); and
    those sharing one of `edits` (its answer's edit keys) that few enough share
    (clusters.EDIT_BUCKET_MOST, as the scan counts). `record` and `task` are those of its edit keys
    that are its input-and-record key and its input key (clusters.record_keys, input_keys).
    Returns (near ids, answer ids, edit ids, how many share its answer, ids sharing its input and
    record, ids sharing its input)."""
    keys = [k for k, _ in near]
    small = []
    if edits:
        # counted first: a key a whole template shares matches thousands of rows, which would take
        # the 5,000 rows below from the prompt's own keys
        counts = (
            ExampleKey.objects.filter(project_id=example.project_id, kind="edit", key__in=list(edits))
            .exclude(example_id=example.id)
            .values("key")
            .annotate(n=Count("example_id"))
        )
        small = [row["key"] for row in counts if row["n"] < EDIT_BUCKET_MOST]
    wanted = (
        Q(kind="near", key__in=keys)
        | (Q(kind="ans", key=answer) if answer else Q(pk__in=[]))
        | (Q(kind="edit", key__in=small) if small else Q(pk__in=[]))
    )
    rows = list(
        ExampleKey.objects.filter(wanted, project_id=example.project_id)
        .exclude(example_id=example.id)
        .values_list("kind", "key", "example_id", "removed")[:5000]
    )
    mine = dict(near)
    by_key, same_answer, by_edit = {}, set(), {}
    record = set(record)
    for kind, key, other, removed in rows:
        if kind == "ans":
            same_answer.add(other)
        elif kind == "edit":
            by_edit.setdefault(key, set()).add(other)
        else:
            by_key.setdefault(key, []).append((other, removed))
    candidates = set()
    for key, others in by_key.items():
        if len(others) <= BIG_BUCKET or not mine.get(key):
            candidates.update(o for o, _ in others[:BIG_BUCKET])
        else:
            candidates.update(o for o, removed in others if removed and is_typo(removed, mine[key]))
    task = set(task)
    # an input key is no answer edit: the scan pairs its examples on their own (input_task_pairs)
    edited = set().union(*(ids for key, ids in by_edit.items() if key not in task))
    same_record = set().union(*(by_edit.get(k, set()) for k in record))
    same_input = set().union(*(by_edit.get(k, set()) for k in task))
    return (
        candidates,
        (same_answer if len(same_answer) < ANCHOR_MOST else set()),
        edited,
        len(same_answer),
        same_record if len(same_record) < INPUT_RECORD_MOST else set(),
        same_input if len(same_input) < INPUT_RECORD_MOST else set(),
    )


@transaction.atomic
def check_example(example, rules=None, count_tokens=None):
    """Check one example against its project and store what is found; returns its findings."""
    project = example.project
    rules = rules if rules is not None else project_rules(project)
    count_tokens = count_tokens if count_tokens is not None else token_counter(project)
    record = example.record()
    single = check_record(record, rules, count_tokens)
    Finding.objects.filter(example=example).delete()
    Finding.objects.bulk_create(
        [
            Finding(
                project_id=example.project_id,
                example=example,
                kind=f.check,
                severity=f.severity,
                message=f.message,
                field=f.field,
            )
            for f in single
        ]
    )

    words, near = _keys_for(example)
    answer, edits = _answer_key(example), _edit_keys(example)
    PairFinding.involving([example.id]).delete()
    found, vector = _pairs_of(example, record, words, near, answer, edits)
    pairs = [
        PairFinding(
            project_id=example.project_id,
            low_id=min(example.id, other),
            high_id=max(example.id, other),
            kind=kind,
            detail=detail,
        )
        for other, kind, detail in found
    ]
    PairFinding.objects.bulk_create(pairs, ignore_conflicts=True)  # a neighbour saved at the same moment
    _store_keys(example, near, answer, edits)
    if vector is not None:
        vectors.store(project.id, [example.id], [vector], [PromptView(record).numbers])
    return single, pairs


def preview(example, rules=None, count_tokens=None):
    """What saving `example` (as it is in memory, saved or not) would find, storing nothing:
    (single findings, [(other example id, kind, detail)]). The editor shows it as one types."""
    project = example.project
    rules = rules if rules is not None else project_rules(project)
    count_tokens = count_tokens if count_tokens is not None else token_counter(project)
    record = example.record()
    single = check_record(record, rules, count_tokens)
    words, near = _keys_for(example)
    return single, _pairs_of(example, record, words, near, _answer_key(example), _edit_keys(example))[0]


def _pairs_of(example, record, words, near, answer, edits=()):
    """([(other example id, kind, detail)], this example's vector or None): the duplicates and
    contradictions of one example in its project, by every layer (as the scan finds them)."""
    project_id = example.project_id
    view = PromptView(record)
    vector, cosines, same_meaning = None, {}, SAME_MEANING
    if vectors.ready():
        vector = vectors.embed_main([record])[0]
        same_meaning = vectors.meaning_threshold(project_id, SAME_MEANING)
        if same_meaning <= 1.0:
            cosines = dict(
                vectors.neighbours(project_id, vector, CANDIDATE, NEIGHBOURS, exclude=example.id, key=view.numbers)
            )
    near_ids, anchored, edit_ids, answer_shared, same_record, same_input = _near_candidates(
        example, near, answer, edits, input_record_keys(record), input_keys(record)
    )
    if vector is None or same_meaning > 1.0:
        edit_ids = set()  # answers one edit apart vouch only alongside the meaning layer, as in the scan
    in_context, context_ids = (
        _shared_context_neighbours(example, record, same_meaning) if vector is not None else ({}, set())
    )
    if context_ids:  # its input is shared: the scan compares two of one context by their instructions only
        cosines = {k: v for k, v in cosines.items() if k not in context_ids}
        edit_ids -= context_ids
        in_context = {k: v for k, v in in_context.items() if k not in near_ids and k not in anchored}
    candidates = near_ids | set(cosines) | anchored | edit_ids | same_record | same_input
    anchored_meaning = anchored_floor(same_meaning)
    silenced = set()
    if example.id:
        silenced = {
            frozenset(p)
            for p in SilencedPair.objects.filter(Q(low=example) | Q(high=example)).values_list("low_id", "high_id")
        }
    # The prompts first (answers can be long), and only the pairs the scan would look at: those
    # the word index finds (one word apart) and the meaning layer's neighbours.
    others = []
    for other_id, instruction, input_, messages in (
        Example.objects.filter(id__in=candidates, deleted_at=None)
        .exclude(id=example.id)
        .values_list("id", "instruction", "input", "messages")
    ):
        if frozenset((example.id, other_id)) in silenced:
            continue
        other = PromptView(Record.chat(messages) if messages else Record(instruction=instruction, input=input_))
        by_words = one_word_apart(words, other.words)
        if (
            by_words
            or other_id in cosines
            or other_id in anchored
            or other_id in edit_ids
            or other_id in same_record
            or other_id in same_input
        ):
            others.append((other_id, other, by_words))
    meaning, plains = _meanings(project_id, view, others, cosines) if vector is not None else ({}, {})
    long_answer = bool(anchored) and vouching_anchor(record.answer())
    matched, edited, reworded, found_by_record = [], [], [], []
    rewordable = reworded_view(record.answer()) is not None  # a free-text answer that may vouch so
    for other_id, other_view, by_words in others:
        if other_id in same_input and not (
            by_words or other_id in cosines or other_id in anchored or other_id in edit_ids or other_id in same_record
        ):
            continue  # as the scan: no layer proposed it, input_task_match alone decides (below)
        if other_id in same_record:
            # one input and one JSON record (their key says so): as the scan, the same request
            # unless the prompts name other numbers or comparisons (clusters.record_match)
            same, note = record_match(view, other_view)
            if same:
                found_by_record.append((other_id, "duplicate", note))
                continue
        if other_id in anchored and (view.asks_nothing or other_view.asks_nothing):
            anchored = anchored - {other_id}  # as in the scan: a vague request vouches for nothing
        cosine = meaning.get(other_id)
        if long_answer and other_id in anchored and cosine is not None:
            cosine = max(cosine, plains[other_id])  # as the scan does for a long shared answer
        # as in the scan, a long shared answer vouches for prompts naming other numbers
        values_vouched = long_answer and other_id in anchored
        if values_vouched and specific_record(record.answer()):
            values_vouched = "record"  # as the scan: one recipe's facts, however many numbers each names
        same, note, layer = match(
            view,
            other_view,
            cosine,
            (lambda o=other_view: _side_cosine(view, o)) if vector is not None else None,
            same_meaning=anchored_floor(
                same_meaning, record.answer(), values_vouched and other_view.numbers != view.numbers
            )
            if other_id in anchored and same_meaning <= 1.0
            else same_meaning,
            words_layer=by_words,  # as the scan's deletion index finds them
            anchored=other_id in anchored,
            answer_vouches=other_id in anchored and text_anchor(record.answer()),
            values_vouched=values_vouched,
        )
        if same:
            matched.append((other_id, other_view, cosine, note, layer))
            continue
        if (
            rewordable
            and cosine is not None
            and same_meaning <= 1.0
            and cosine < same_meaning
            and plains.get(other_id, 0.0) >= reworded_floor(same_meaning)
        ):
            reworded.append((other_id, other_view, max(cosine, plains[other_id])))  # its answer may vouch
        if cosine is not None and same_meaning <= 1.0 and anchored_meaning <= cosine:
            proposed = (
                by_words
                or other_id in anchored
                or neighbour_kept(
                    cosine,
                    len(plain_text(view.parts[0])),
                    len(plain_text(other_view.parts[0])),
                    same_meaning,
                    plains.get(other_id),
                )
            )
            # the scan's candidates: prompts naming the same numbers from the anchored meaning on
            named = bool(view.slots.names) and view.slots.names == other_view.slots.names
            if proposed or cosine >= (anchored_meaning if view.numbers or named else edited_candidate(same_meaning)):
                edited.append((other_id, other_view, cosine, not proposed))  # answers may vouch for them
    task_views = [(i, v) for i, v, _ in others if i in same_input]
    # as the scan: short questions of fact alike in plain meaning (clusters.fact_alike, fact_match)
    fact_views = (
        [
            (i, v)
            for i, v, _ in others
            if plains.get(i, 0.0) >= FACT_SHARED_MEANING  # fact_alike decides, once the answer is read (below)
        ]
        if answer_shared + 1 <= REWORDED_MOST and fact_of(record) is not None
        else []
    )
    wanted = [m[0] for m in matched + edited + reworded + task_views + fact_views if not m[1].record.messages]
    answers = (
        {i: (o, r) for i, o, r in Example.objects.filter(id__in=wanted).values_list("id", "output", "rejected")}
        if wanted
        else {}
    )
    found = []
    for other_id, other_view, cosine, note, layer in matched:
        other = other_view.record
        if not other.messages:
            output, rejected = answers.get(other_id, ("", ""))
            other = Record(instruction=other.instruction, input=other.input, output=output, rejected=rejected)
        verdict, detail = compare_records(record, other)
        if verdict == "other" or (
            verdict != "agree"
            and not may_contradict(
                layer,
                cosine,
                view,
                other_view,
                lambda other=other, other_view=other_view: edited_answer(
                    record, other, view.words[0] + view.words[1], other_view.words[0] + other_view.words[1], True
                ),
                lambda other=other: negating_edit(record, other),
            )
        ):
            continue
        if verdict == "agree":
            found.append(
                (other_id, "duplicate", f"a near-identical prompt ({note})" if layer == "words" and note else note)
            )
        else:
            found.append((other_id, "contradiction", detail))
    for other_id, other_view, cosine, loose in edited:
        other = other_view.record
        if not other.messages:
            output, rejected = answers.get(other_id, ("", ""))
            other = Record(instruction=other.instruction, input=other.input, output=output, rejected=rejected)
        words_a, words_b = view.words[0] + view.words[1], other_view.words[0] + other_view.words[1]
        if (
            edited_answer(record, other, words_a, words_b, True)
            and (not loose or answers_echo_prompts(record, other, view.parts[0], other_view.parts[0]))
            and (
                vouched := edit_vouched_match(
                    view, other_view, cosine, same_meaning, anchored_meaning, record.answer(), other.answer()
                )
            )[0]
            and not (vouched[2] == "meaning" and labelled_apart(view, other_view))  # as the scan
            and not other_intent(view, other_view, answers_edited=not negating_edit(record, other))
        ):
            verdict, detail = compare_records(record, other)
            if verdict == "conflict":  # not "other": answers that follow what each prompt names
                found.append((other_id, "contradiction", detail))
    if reworded and answer_shared + 1 > REWORDED_MOST:
        reworded = []  # this answer is a template's reply, said by many: it vouches for no rewording
    if reworded:
        # the same for the others' answers (as the scan counts them)
        keys = dict(
            ExampleKey.objects.filter(
                project_id=project_id, kind="ans", example_id__in=[r[0] for r in reworded]
            ).values_list("example_id", "key")
        )
        counts = dict(
            ExampleKey.objects.filter(project_id=project_id, kind="ans", key__in=set(keys.values()))
            .values("key")
            .annotate(n=Count("example_id"))
            .values_list("key", "n")
        )
        reworded = [r for r in reworded if counts.get(keys.get(r[0]), 1) <= REWORDED_MOST]
    for other_id, other_view, plain in reworded:
        if view.asks_nothing or other_view.asks_nothing:
            continue  # as in the scan: a vague request vouches for nothing
        # as the scan: answers that are one answer reworded vouch for prompts from the reworded
        # floor, on the plain meaning, every guard in place; a duplicate, never a contradiction
        other = other_view.record
        if not other.messages:
            output, rejected = answers.get(other_id, ("", ""))
            other = Record(instruction=other.instruction, input=other.input, output=output, rejected=rejected)
        if reworded_answer(record, other):
            same, note, _ = match(
                view,
                other_view,
                plain,
                (lambda o=other_view: _side_cosine(view, o)),
                same_meaning=reworded_floor(same_meaning),
                words_layer=False,
                anchored=True,  # as the scan: a content word said otherwise is rewording
                answer_vouches=True,
            )
            if same:
                found.append((other_id, "duplicate", note))
    found += found_by_record
    found += _context_pairs(example, record, view, in_context, same_meaning, silenced)
    paired = {f[0] for f in found}
    for other_id, other_view in task_views:
        # as the scan (clusters.input_task_match): one input under instructions the layers above
        # left apart, the answers of one shape
        if other_id in paired:
            continue
        output, rejected = answers.get(other_id, ("", ""))
        other = Record(instruction=other_view.record.instruction, input=other_view.record.input, output=output)
        task = input_task_match(record, other, view, other_view)
        if task:
            found.append((other_id, task[0], task[1] if task[0] == "contradiction" else TASK_NOTE))
    paired = {f[0] for f in found}
    for other_id, other_view in fact_views:
        if other_id in paired:
            continue
        if other_view.record.messages:
            other = other_view.record  # a chat holds its answers
        else:
            output, rejected = answers.get(other_id, ("", ""))
            other = Record(
                instruction=other_view.record.instruction,
                input=other_view.record.input,
                output=output,
                rejected=rejected,
            )
        other_view = PromptView(other)  # with its answer: whether both name the same values decides too
        if not fact_alike(view, other_view, plains[other_id], meaning.get(other_id, 0.0)):
            continue
        if fact_match(record, other, view, other_view, plains[other_id]):
            verdict, detail = compare_records(record, other)
            if verdict == "agree":
                found.append(
                    (other_id, "duplicate", f"the same question in other words ({plains[other_id]:.0%} alike)")
                )
            else:
                found.append((other_id, "contradiction", named_detail(record, other, detail)))
    return found, vector


def _shared_context_neighbours(example, record, same_meaning):
    """({other id: cosine of the instructions}, the ids of the whole context) for the examples whose
    input is this example's, word for word, under another instruction (a table schema under many questions): the scan
    (clusters.shared_contexts) compares those by their instructions, the nearest NEIGHBOURS at
    least CANDIDATE alike. The context's instructions are embedded once per process
    (vectors.context_instructions); at most SHARED_CONTEXT_MOST are looked at."""
    if same_meaning > 1.0 or record.is_chat or not record.input.strip() or not record.instruction.strip():
        return {}, set()
    ids, instructions, matrix = vectors.context_instructions(example.project_id, record.input, SHARED_CONTEXT_MOST)
    if not ids:
        return {}, set()
    mine = semantic.embed([record.instruction])[0]
    sims = matrix @ mine
    other = np.array([i != example.id and text != record.instruction for i, text in zip(ids, instructions)])
    top = np.flatnonzero((sims >= CANDIDATE) & other)
    top = top[np.argsort(-sims[top])[:NEIGHBOURS]]
    return {ids[k]: float(sims[k]) for k in top.tolist()}, set(ids)


def _context_pairs(example, record, view, in_context, same_meaning, silenced):
    """clusters.context_match for one example and its shared context's neighbours."""
    found = []
    current = {
        i: Record(instruction=instruction, input=input_, output=output, rejected=rejected)
        for i, instruction, input_, output, rejected in Example.objects.filter(
            id__in=list(in_context), deleted_at=None
        ).values_list("id", "instruction", "input", "output", "rejected")
    }
    for other_id, cosine in in_context.items():
        other = current.get(other_id)
        if frozenset((example.id, other_id)) in silenced or other is None or other.input != record.input:
            continue  # deleted, or moved to another input since the context was read
        same, contradicts, note, _ = context_match(record, other, view, PromptView(other), cosine, same_meaning)
        verdict, detail = compare_records(record, other) if same else ("other", "")
        if verdict == "agree":
            found.append((other_id, "duplicate", note))
        elif verdict == "conflict" and contradicts:
            found.append((other_id, "contradiction", detail))
    return found


def _meanings(project_id, view, others, cosines):
    """({other id: the cosine the meaning layer decides on}, {other id: the plain cosine}): the
    smaller of the plain one and the one with words weighed by their rarity in the project, as the
    scan does. `others` holds (id, PromptView, ...) tuples."""
    if not others:
        return {}, {}
    idf = vectors.project_idf(project_id)
    texts = [view.parts[0]] + [o[1].parts[0] for o in others]
    plain, weighted = semantic.embed(texts), semantic.embed(texts, idf)
    plains = {o[0]: cosines.get(o[0], float(plain[0] @ plain[n])) for n, o in enumerate(others, 1)}
    return {o[0]: min(plains[o[0]], float(weighted[0] @ weighted[n])) for n, o in enumerate(others, 1)}, plains


def _side_cosine(a, b):
    va, vb = semantic.embed([a.parts[1], b.parts[1]])
    return float(va @ vb)


def recheck_since(project, moment):
    """Check again every example saved (or created) since `moment`; deleted ones are forgotten."""
    changed = list(
        Example.objects.filter(project=project, updated_at__gte=moment).select_related("project", "project__base_model")
    )
    if not changed:
        return 0
    rules, count_tokens = project_rules(project), token_counter(project)
    for example in changed:
        if example.deleted_at:
            forget_example(example)
        else:
            check_example(example, rules, count_tokens)
    return len(changed)


def forget_example(example):
    """Drop an example's findings and index keys (when it is deleted)."""
    forget_examples([example.id])


def forget_examples(ids):
    vectors.forget(ids)
    Finding.objects.filter(example_id__in=ids).delete()
    PairFinding.involving(ids).delete()
    ExampleKey.objects.filter(example_id__in=ids).delete()


def findings_of(example):
    """(single findings, pair findings as (other example id, kind, detail)) for display."""
    single = list(example.findings.order_by("severity", "kind"))
    pairs = []
    for p in PairFinding.involving([example.id]).order_by("kind", "low_id", "high_id"):
        pairs.append((p.high_id if p.low_id == example.id else p.low_id, p.kind, p.detail))
    return single, pairs


def similar_approved(example, limit=5, at_least=CANDIDATE):
    """[(approved example, how alike 0-1)], most alike first: by the checks' own measures, the
    meaning layer's cosine of the prompts' main parts (pairs under `at_least` are not alike
    enough to matter), or, without that layer, the prompts the word index finds one word apart
    (by their wording similarity)."""
    if vectors.ready():
        vector = vectors.embed_main([example.record()])[0]
        alike = dict(vectors.neighbours(example.project_id, vector, at_least, limit * 20, exclude=example.id))
    else:
        main = PromptView(example.record()).parts[0]
        _, near = _keys_for(example)
        candidates = Example.objects.filter(id__in=_near_candidates(example, near)[0])
        alike = {o.id: wording_similarity(main, PromptView(o.record()).parts[0]) for o in candidates}
        alike = {i: share for i, share in alike.items() if share >= at_least}
    approved = Example.objects.filter(
        id__in=list(alike), project_id=example.project_id, status=Example.Status.APPROVED, deleted_at=None
    ).exclude(id=example.id)
    ranked = sorted(approved, key=lambda o: (-alike[o.id], -o.id))
    return [(o, alike[o.id]) for o in ranked[:limit]]


def _insert_keys(rows):
    """Insert (project_id, example_id, kind, key, removed) rows (a 100,000-example project has
    about two million)."""
    copy_rows(ExampleKey, ("project_id", "example_id", "kind", "key", "removed"), rows, batch_size=5000)


def copy_rows(model, columns, rows, batch_size=2000):
    """Insert rows (tuples of `columns`' values) into model's table: with COPY on PostgreSQL
    (bulk_create took 20 s for the 200,000 pairs a realistic 100,000-example project holds), with
    bulk_create elsewhere."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            with cursor.connection.cursor().copy(
                f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    model.objects.bulk_create((model(**dict(zip(columns, row))) for row in rows), batch_size=batch_size)


def summarize(counts):
    """'1 contradiction pair, 2 pii findings' for a scan's counts, or 'no findings'."""
    parts = []
    for kind, n in sorted(counts.items()):
        unit = "pair" if kind in ("duplicate", "contradiction") else "finding"
        parts.append(f"{n} {kind} {unit}{'s' if n != 1 else ''}")
    return ", ".join(parts) or "no findings"


def scan_project(project, progress=None):
    """Check every example of a project and replace all stored findings and keys; returns counts
    (single findings by check, duplicate and contradiction pairs by kind). Examples saved while
    the scan ran are checked again at the end, so their fresh findings are not overwritten."""
    from django.utils import timezone

    started = timezone.now()
    examples = list(
        Example.objects.filter(project=project, deleted_at=None)
        .order_by("id")
        .only("id", "instruction", "input", "output", "messages", "rejected")
    )
    records = [e.record() for e in examples]
    ids = [e.id for e in examples]
    silenced_ids = SilencedPair.objects.filter(project=project).values_list("low_id", "high_id")
    position = {i: n for n, i in enumerate(ids)}
    silenced = {frozenset((position[a], position[b])) for a, b in silenced_ids if a in position and b in position}
    total = len(records)

    def scan_progress(done, of):
        if progress:
            progress(int(done * 0.85), of)

    main = vectors.embed_main(records) if semantic_useful(records) else None
    found, clusters, record_keys, answers, numbers, edits = check_all(
        records,
        project_rules(project),
        token_counter(project),
        label=lambda i: example_label(ids[i]),
        silenced=silenced,
        progress=scan_progress,
        vectors=main if main is not None else False,
        keys=True,
    )
    singles, pairs = [], []
    counts = {}
    for i, findings in found.items():
        for f in findings:
            if f.check not in ("duplicate", "contradiction"):
                counts[f.check] = counts.get(f.check, 0) + 1
                singles.append((project.id, ids[i], f.check, f.severity, f.message, f.field))
    for cluster in clusters:
        for a, b, kind, detail in cluster_pairs(cluster):
            pairs.append((project.id, min(ids[a], ids[b]), max(ids[a], ids[b]), kind, detail))
            counts[kind] = counts.get(kind, 0) + 1
    keys = itertools.chain(
        ((project.id, example_id, "near", k, w[:100]) for example_id, near in zip(ids, record_keys) for k, w in near),
        ((project.id, example_id, "ans", int(k), "") for example_id, k in zip(ids, answers) if k),
        ((project.id, example_id, "edit", k, "") for example_id, keys in zip(ids, edits) for k in keys),
        ((project.id, example_id, "edit", k, "") for example_id, r in zip(ids, records) for k in input_keys(r)),
        ((project.id, example_id, "edit", k, "") for example_id, r in zip(ids, records) for k in fact_keys(r)),
    )
    with transaction.atomic():
        Finding.objects.filter(project=project).delete()
        PairFinding.objects.filter(project=project).delete()
        ExampleKey.objects.filter(project=project).delete()
        copy_rows(Finding, ("project_id", "example_id", "kind", "severity", "message", "field"), singles)
        copy_rows(PairFinding, ("project_id", "low_id", "high_id", "kind", "detail"), pairs)
        _insert_keys(keys)
        if main is not None:
            vectors.store(project.id, ids, main, numbers)
    recheck_since(project, started)
    if progress:
        progress(total, total)
    return {"examples": total, "findings": counts}
