"""Preference pairs (DPO) from closed A/B studies: the aggregation of votes into chosen/rejected
rows, the form trl reads, the download with its card, who may download it, and a real DPO step
on the exported file."""

import io
import json
import math
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from evaluation.core.preferences import aggregate, build_preferences, preference_card, rater_agreement
from studio.core.prompts import file_prompt
from studio.core.records import Record

TUNED, BASE = "run-7", "base"


def v(rater, item, left, right, choice, repeat=False):
    return {"rater": rater, "item": item, "left": left, "right": right, "choice": choice, "repeat": repeat}


def outputs_for(*items, systems=(BASE, TUNED)):
    return {(item, s): f"{s} answers {item}" for item in items for s in systems}


PROMPTS = {item: [{"role": "user", "content": f"question {item}"}] for item in ("i1", "i2", "i3", "i4")}


# --- aggregation ------------------------------------------------------------------------------


def test_the_majority_of_decisive_votes_picks_the_chosen_answer_whatever_the_side():
    votes = [
        v("ann", "i1", BASE, TUNED, "right"),  # tuned, shown on the right
        v("bob", "i1", TUNED, BASE, "left"),  # tuned, shown on the left
        v("cy", "i1", TUNED, BASE, "right"),  # base
    ]
    prefs = build_preferences(votes, PROMPTS, outputs_for("i1"))
    assert prefs.rows == [
        {
            "prompt": [{"role": "user", "content": "question i1"}],
            "chosen": [{"role": "assistant", "content": "run-7 answers i1"}],
            "rejected": [{"role": "assistant", "content": "base answers i1"}],
        }
    ]
    d = prefs.decisions[0]
    assert (d.chosen, d.rejected, d.votes_for, d.votes_against) == (TUNED, BASE, 2, 1)
    assert prefs.counts["rows"] == 1 and prefs.counts["unanimous"] == 0 and prefs.counts["decisive"] == 3


def test_ties_and_both_bad_count_for_neither_side_and_are_counted():
    votes = [
        v("ann", "i1", BASE, TUNED, "left"),
        v("bob", "i1", BASE, TUNED, "tie"),
        v("cy", "i1", TUNED, BASE, "tie"),  # base 1-0
        v("ann", "i2", BASE, TUNED, "tie"),
        v("bob", "i2", BASE, TUNED, "both_bad"),  # nothing decisive
        v("ann", "i3", BASE, TUNED, "both_bad"),
    ]
    prefs = build_preferences(votes, PROMPTS, outputs_for("i1", "i2", "i3"))
    assert [(d.item, d.chosen, d.votes_for, d.votes_against) for d in prefs.decisions] == [("i1", BASE, 1, 0)]
    c = prefs.counts
    assert (
        c["votes"],
        c["ties"],
        c["both_bad"],
        c["decisive"],
        c["units"],
        c["undecided"],
        c["rows"],
        c["unanimous"],
    ) == (6, 3, 2, 1, 3, 2, 1, 1)


def test_items_whose_decisive_votes_split_evenly_are_left_out():
    votes = [
        v("ann", "i1", BASE, TUNED, "left"),
        v("bob", "i1", BASE, TUNED, "right"),
        v("cy", "i1", BASE, TUNED, "tie"),
        v("ann", "i2", BASE, TUNED, "right"),
        v("bob", "i2", TUNED, BASE, "left"),
    ]
    prefs = build_preferences(votes, PROMPTS, outputs_for("i1", "i2"))
    assert [d.item for d in prefs.decisions] == ["i2"]
    assert prefs.counts["split"] == 1 and prefs.counts["rows"] == 1


def test_a_swapped_repeat_is_not_a_second_vote():
    votes = [
        v("ann", "i1", BASE, TUNED, "left"),  # ann: base
        v("bob", "i1", TUNED, BASE, "left"),  # bob: tuned
        v("ann", "i1", TUNED, BASE, "right", repeat=True),  # ann again, sides swapped: base again
    ]
    decisions, counts = aggregate(votes)
    assert decisions == [] and counts["split"] == 1  # 1-1, not base 2-1
    assert (counts["votes"], counts["repeats"], counts["counted"]) == (3, 1, 2)
    # the original counts even when the repeat disagrees with it, and even when it comes later in the list
    votes = [v("ann", "i1", BASE, TUNED, "right", repeat=True), v("ann", "i1", TUNED, BASE, "right")]
    decisions, counts = aggregate(votes)
    assert [(d.chosen, d.votes_for) for d in decisions] == [(BASE, 1)] and counts["repeats"] == 1


def test_a_repeat_stands_in_for_a_missing_original():
    decisions, counts = aggregate([v("ann", "i1", TUNED, BASE, "left", repeat=True)])
    assert [(d.chosen, d.rejected) for d in decisions] == [(TUNED, BASE)] and counts["repeats"] == 0


def test_every_pair_of_systems_is_its_own_row():
    other = "run-8"
    votes = [
        v("ann", "i1", BASE, TUNED, "right"),
        v("ann", "i1", other, TUNED, "left"),
        v("ann", "i1", BASE, other, "left"),
    ]
    prefs = build_preferences(votes, PROMPTS, outputs_for("i1", systems=(BASE, TUNED, other)))
    assert sorted((d.chosen, d.rejected) for d in prefs.decisions) == sorted(
        [(TUNED, BASE), (other, TUNED), (BASE, other)]
    )
    assert len(prefs.rows) == 3


def test_identical_answers_and_missing_answers_are_left_out_and_counted():
    outputs = {("i1", BASE): "Same. ", ("i1", TUNED): "Same.", ("i2", BASE): "only one side"}
    prefs = build_preferences(
        [v("ann", "i1", BASE, TUNED, "left"), v("ann", "i2", BASE, TUNED, "left")], PROMPTS, outputs
    )
    assert prefs.rows == [] and prefs.counts["identical"] == 1 and prefs.counts["missing"] == 1


def test_an_unknown_choice_is_named():
    with pytest.raises(ValueError, match="unknown choice 'maybe' by ann on item i1"):
        aggregate([v("ann", "i1", BASE, TUNED, "maybe")])


def test_agreement_is_the_reports_and_leaves_repeats_out():
    votes = [
        v("ann", "i1", BASE, TUNED, "left"),
        v("bob", "i1", TUNED, BASE, "right"),
        v("ann", "i1", TUNED, BASE, "left", repeat=True),
    ]
    a = rater_agreement(votes)
    assert (
        a["with_ties"]["units"] == 1 and a["with_ties"]["raw"] == 1.0
    )  # both chose base; the repeat is not a third rater


# --- the form trl reads ----------------------------------------------------------------------


def test_a_chat_becomes_trls_conversational_form_with_its_system_turn():
    chat = Record.chat(
        [
            {"role": "system", "content": "Answer in JSON."},
            {"role": "user", "content": "Parcel late"},
            {"role": "assistant", "content": "{}"},
        ]
    )
    prompt = file_prompt(chat, chat_template=True)
    assert prompt == [{"role": "system", "content": "Answer in JSON."}, {"role": "user", "content": "Parcel late"}]
    row = build_preferences(
        [v("ann", "i1", BASE, TUNED, "right")],
        {"i1": prompt},
        {("i1", BASE): "no", ("i1", TUNED): '{"category": "shipping"}'},
    ).rows[0]
    assert row == {
        "prompt": prompt,
        "chosen": [{"role": "assistant", "content": '{"category": "shipping"}'}],
        "rejected": [{"role": "assistant", "content": "no"}],
    }


def test_an_instruction_pair_is_one_user_turn_for_a_chat_model_and_alpaca_text_otherwise():
    plain = Record(instruction="Triage the ticket.", input="My parcel is late.", output="x")
    assert file_prompt(plain, chat_template=True) == [
        {"role": "user", "content": "Triage the ticket.\n\nMy parcel is late."}
    ]
    text = file_prompt(plain, chat_template=False)
    assert text.startswith("Below is an instruction") and text.endswith(
        "### Input:\nMy parcel is late.\n\n### Response:\n"
    )
    row = build_preferences(
        [v("ann", "i1", BASE, TUNED, "left")], {"i1": text}, {("i1", BASE): "good", ("i1", TUNED): "bad"}
    ).rows[0]
    assert row == {"prompt": text, "chosen": "good", "rejected": "bad"}  # trl's standard form; trl adds the EOS


def test_a_long_chat_has_no_alpaca_form():
    from studio.core.prompts import RenderError

    chat = Record.chat(
        [
            {"role": "user", "content": "a"},
            {"role": "assistant", "content": "b"},
            {"role": "user", "content": "c"},
            {"role": "assistant", "content": "d"},
        ]
    )
    with pytest.raises(RenderError, match="needs a model with a chat template"):
        file_prompt(chat, chat_template=False)


def test_the_card_records_the_study_the_counts_and_the_agreement():
    votes = [
        v("ann", "i1", BASE, TUNED, "right"),
        v("bob", "i1", BASE, TUNED, "right"),
        v("ann", "i2", BASE, TUNED, "tie"),
        v("bob", "i2", TUNED, BASE, "left"),
    ]
    prefs = build_preferences(votes, PROMPTS, outputs_for("i1", "i2"))
    card = preference_card(
        {
            "project": "Ticket triage",
            "study": {
                "id": 3,
                "name": 'March: "blind"',
                "closed_at": "2026-11-02 10:00 UTC",
                "created_by": "lena",
                "ratings_per_item": 2,
                "repeat_share": 0.1,
                "raters": 2,
            },
            "version": {"name": "v1", "content_hash": "ab" * 32},
            "systems": [(BASE, "base model"), (TUNED, "r1|lr 3e-4")],
            "base_model": "Tiny",
            "counts": prefs.counts,
            "pairs": [(BASE, TUNED, 0, 2)],
            "agreement": rater_agreement(votes),
            "form": "conversational",
            "file": "preferences.jsonl",
        }
    )
    header = card.split("---")[1]
    assert (
        'pretty_name: "Ticket triage: preferences from study “March: \\"blind\\"”"' in header
    )  # quoted: names may hold colons
    assert "path: preferences.jsonl" in header
    assert (
        'study 3 “March: "blind"”' in card and "| `run-7` | r1\\|lr 3e-4 |" in card and "dataset version “v1”" in card
    )
    assert "| of which tie (left out) | 1 |" in card and "| **rows exported** | **2** |" in card
    assert "| A base model · B r1\\|lr 3e-4 | 2 | 0 | 2 |" in card  # a | in a run name does not break the table
    assert "| all votes | 2 | 50% | " in card  # i1 agreed, i2 did not
    assert 'load_dataset("json", data_files="preferences.jsonl", split="train")' in card and "DPOTrainer(" in card


# --- the download ------------------------------------------------------------------------------


def url(name, people, *args):
    return reverse(f"evaluation:{name}", args=[people.project.slug, *args])


@pytest.fixture
def make_study(people):
    """make_study(status, chat_template=True, model_path=...) -> a study of the base model against
    run r1 on four test items (two instruction pairs, a chat and one more pair), with votes by
    the reviewer and the lead:
    - item 1: both prefer the tuned answer; the reviewer's swapped repeat prefers the base one
    - item 2: they disagree (split)
    - item 3 (the chat): the reviewer prefers the base answer, the lead calls it a tie
    - item 4: both say both bad."""
    from curation.models import DatasetVersion, VersionItem
    from evaluation.models import Assignment, Study, StudyOutput, Vote
    from training.models import BaseModel, TrainingRun

    def make(status, chat_template=True, model_path="/models/tiny", info=None):
        base = BaseModel.objects.create(
            project=people.project,
            name="Tiny",
            path=model_path,
            status=BaseModel.Status.READY,
            info=info or {"has_chat_template": chat_template},
        )
        version = DatasetVersion.objects.create(
            project=people.project,
            name="v1",
            content_hash="ab" * 32,
            seed=1,
            ratios=[0.8, 0.1, 0.1],
            counts={"train": 0, "validation": 0, "test": 4},
            created_by=people.lead,
        )
        contents = [
            {"instruction": "Triage the ticket.", "input": "My parcel is three weeks late."},
            {"instruction": "Triage the ticket.", "input": "I was charged twice."},
            {
                "messages": [
                    {"role": "system", "content": "Answer in JSON."},
                    {"role": "user", "content": "The app crashes on start."},
                    {"role": "assistant", "content": "{}"},
                ]
            },
            {"instruction": "Triage the ticket.", "input": "Where is my refund?"},
        ]
        items = [
            VersionItem.objects.create(
                version=version, example_version=1, split="test", group=n, content_key=f"k{n}", output="{}", **c
            )
            for n, c in enumerate(contents)
        ]
        run = TrainingRun.objects.create(
            project=people.project,
            name="r1",
            dataset_version=version,
            base_model=base,
            config={},
            status=TrainingRun.Status.SUCCEEDED,
        )
        tuned = f"run-{run.id}"
        study = Study.objects.create(
            project=people.project,
            name="March study",
            dataset_version=version,
            systems=[{"key": "base", "run_id": None}, {"key": tuned, "run_id": run.id}],
            ratings_per_item=2,
            repeat_share=0.2,
            status=status,
            created_by=people.lead,
            closed_at=timezone.now() if status == Study.Status.CLOSED else None,
        )
        study.raters.set([people.reviewer, people.lead])
        for n, item in enumerate(items, 1):
            StudyOutput.objects.create(
                study=study, item=item, system="base", text=f'{{"category": "base {n}"}} <script>alert(1)</script>'
            )
            StudyOutput.objects.create(study=study, item=item, system=tuned, text=f'{{"category": "tuned {n}"}}')
        plan = [
            (people.reviewer, 0, "base", tuned, "right", False),
            (people.lead, 0, tuned, "base", "left", False),
            (people.reviewer, 0, tuned, "base", "right", True),
            (people.reviewer, 1, "base", tuned, "left", False),
            (people.lead, 1, "base", tuned, "right", False),
            (people.reviewer, 2, tuned, "base", "right", False),
            (people.lead, 2, "base", tuned, "tie", False),
            (people.reviewer, 3, "base", tuned, "both_bad", False),
            (people.lead, 3, tuned, "base", "both_bad", False),
        ]
        originals = {}
        for order, (rater, n, left, right, choice, repeat) in enumerate(plan):
            a = Assignment.objects.create(
                study=study,
                rater=rater,
                item=items[n],
                left=left,
                right=right,
                token=f"t{study.id}-{order}",
                order=order,
                repeat_of=originals[(rater.id, n)] if repeat else "",
            )
            originals.setdefault((rater.id, n), a.token)
            Vote.objects.create(
                assignment=a, choice=choice, rationale="neither triages it" if choice == "both_bad" else ""
            )
        study.items, study.tuned = items, tuned
        return study

    return make


def unzip(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == ["README.md", "preferences.jsonl"]
    rows = [json.loads(line) for line in archive.read("preferences.jsonl").decode().splitlines()]
    return rows, archive.read("README.md").decode()


@pytest.mark.django_db
def test_the_lead_downloads_the_pairs_and_a_card(as_user, people, make_study):
    study = make_study("closed")
    response = as_user(people.lead).get(url("study-preferences", people, study.id))
    assert f'filename="{people.project.slug}-study-{study.id}-preferences.zip"' in response["Content-Disposition"]
    rows, card = unzip(response)
    assert rows == [
        {
            "prompt": [{"role": "user", "content": "Triage the ticket.\n\nMy parcel is three weeks late."}],
            "chosen": [{"role": "assistant", "content": '{"category": "tuned 1"}'}],
            "rejected": [{"role": "assistant", "content": '{"category": "base 1"} <script>alert(1)</script>'}],
        },
        {
            "prompt": [
                {"role": "system", "content": "Answer in JSON."},
                {"role": "user", "content": "The app crashes on start."},
            ],
            "chosen": [{"role": "assistant", "content": '{"category": "base 3"} <script>alert(1)</script>'}],
            "rejected": [{"role": "assistant", "content": '{"category": "tuned 3"}'}],
        },
    ]
    assert f"study {study.id} “March study”" in card and "dataset version “v1”" in card and "Base model: Tiny." in card
    assert (
        f"| `{study.tuned}` | r1 |" in card and "| `base` | base model |" in card
    )  # names revealed: the study is closed
    assert "9 votes from 2 rater(s)" in card
    for line in (
        "| swapped repeats set aside (each rater counts once per item and pair) | 1 |",
        "| of which tie (left out) | 1 |",
        "| of which both bad (left out) | 2 |",
        "| pairs whose decisive votes split evenly (left out) | 1 |",
        "| pairs with no decisive vote (left out) | 1 |",
        "| **rows exported** | **2** |",
        "| A base model · B r1 | 2 | 1 | 1 |",
    ):
        assert line in card, line
    # agreement as the report has it: items 1 and 4 agree, 2 and 3 do not
    assert "| all votes | 4 | 50% | " in card and "| ties and both-bad left out | 2 | 50% | " in card
    assert "conversational preference form" in card


@pytest.mark.django_db
def test_a_base_model_without_chat_template_gets_alpaca_prompts_as_text(as_user, people, make_study):
    study = make_study("closed", chat_template=False)
    rows, card = unzip(as_user(people.lead).get(url("study-preferences", people, study.id)))
    assert [type(r["prompt"]) for r in rows] == [str, str]
    assert (
        rows[0]["prompt"].endswith("### Input:\nMy parcel is three weeks late.\n\n### Response:\n")
        and rows[0]["chosen"] == '{"category": "tuned 1"}'
    )
    assert (
        "### Instruction:\nThe app crashes on start." in rows[1]["prompt"]
    )  # the chat's one exchange, as the studio trains it
    assert "standard preference form" in card


@pytest.mark.django_db
def test_only_leads_may_download(as_user, people, make_study):
    study = make_study("closed")
    target = url("study-preferences", people, study.id)
    assert as_user(people.outsider).get(target).status_code == 404
    assert as_user(people.reviewer).get(target).status_code == 403  # a rater in the study, but not a lead
    assert as_user(people.annotator).get(target).status_code == 403
    assert (
        as_user(people.outsider)
        .get(reverse("evaluation:study-preferences", args=[people.other_project.slug, study.id]))
        .status_code
        == 404
    )  # not in their project


@pytest.mark.django_db
def test_the_button_is_on_the_closed_study_page_for_leads_only(as_user, people, make_study):
    study = make_study("closed")
    target = url("study-preferences", people, study.id)
    assert target in as_user(people.lead).get(url("study", people, study.id)).content.decode()
    page = as_user(people.reviewer).get(url("study", people, study.id)).content.decode()
    assert "r1" in page and target not in page


@pytest.mark.django_db
def test_an_open_study_is_refused_with_a_reason(as_user, people, make_study):
    study = make_study("open")
    client = as_user(people.lead)
    assert url("study-preferences", people, study.id) not in client.get(url("study", people, study.id)).content.decode()
    response = client.get(url("study-preferences", people, study.id), follow=True)
    assert response.redirect_chain == [(url("study", people, study.id), 302)]
    assert (
        "“March study” is open: preference pairs can be exported once the study is closed" in response.content.decode()
    )


@pytest.mark.django_db
def test_a_study_whose_votes_give_no_pair_is_refused_with_the_counts(as_user, people, make_study):
    from evaluation.models import Vote

    study = make_study("closed")
    Vote.objects.filter(
        assignment__study=study, choice__in=["left", "right"]
    ).delete()  # (test set-up only: votes never change in the app)
    response = as_user(people.lead).get(url("study-preferences", people, study.id), follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(url("study", people, study.id), 302)]
    assert (
        "No preference pairs in “March study”: of 3 votes counted, 1 said tie and 2 both bad, 0 item pair(s) split evenly"
        in page
    )


# --- trl reads the file -------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("chat_template", [True, False], ids=["conversational", "standard"])
def test_trl_trains_dpo_on_the_exported_file(as_user, people, make_study, tiny_model_dir, tmp_path, chat_template):
    from datasets import load_dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    from training.core.model_info import inspect_model_folder

    info = inspect_model_folder(tiny_model_dir).as_dict()
    assert info["has_chat_template"]  # the tiny model has one; the standard case pretends it has not
    study = make_study("closed", model_path=str(tiny_model_dir), info={**info, "has_chat_template": chat_template})
    rows, _ = unzip(as_user(people.lead).get(url("study-preferences", people, study.id)))
    path = tmp_path / "preferences.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))

    dataset = load_dataset("json", data_files=str(path), split="train", cache_dir=str(tmp_path / "cache"))
    assert dataset.column_names == ["prompt", "chosen", "rejected"] and len(dataset) == 2
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    args = DPOConfig(
        output_dir=str(tmp_path / "dpo"),
        max_steps=2,
        per_device_train_batch_size=1,
        learning_rate=1e-3,
        use_cpu=True,
        report_to="none",
        bf16=False,
        gradient_checkpointing=False,
        save_strategy="no",
        logging_steps=1,
        max_length=256,
    )
    trainer = DPOTrainer(model=model, args=args, train_dataset=dataset, processing_class=tokenizer)

    # trl read the rows as meant: the prompt rendered as the studio trains this model, the answers as the completions
    first = trainer.train_dataset[0]
    prompt, chosen, rejected = (tokenizer.decode(first[k]) for k in ("prompt_ids", "chosen_ids", "rejected_ids"))
    if chat_template:
        assert (
            "<|im_start|>user\nTriage the ticket.\n\nMy parcel is three weeks late.<|im_end|>" in prompt
            and prompt.rstrip().endswith("<|im_start|>assistant")
        )
    else:
        assert prompt.startswith("Below is an instruction") and prompt.endswith("### Response:\n")
    assert chosen.startswith('{"category": "tuned 1"}') and rejected.startswith('{"category": "base 1"} <script>')

    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert trainer.state.global_step == 2 and len(losses) == 2 and all(math.isfinite(x) for x in losses)
    assert losses[0] == pytest.approx(math.log(2), abs=1e-4)  # the policy starts as its own reference
    assert any(not (p.detach() == before[n]).all() for n, p in trainer.model.named_parameters())


@pytest.mark.django_db
def test_pairs_never_shown_because_their_answers_were_the_same_are_counted_on_the_card(as_user, people, make_study):
    from curation.models import VersionItem
    from evaluation.models import StudyOutput

    study = make_study("closed")
    same = VersionItem.objects.create(
        version=study.dataset_version,
        example_version=1,
        split="test",
        group=9,
        content_key="k9",
        instruction="Triage the ticket.",
        input="Thanks, all sorted!",
        output="{}",
    )
    StudyOutput.objects.create(study=study, item=same, system="base", text='{"category": "other"}')
    StudyOutput.objects.create(study=study, item=same, system=study.tuned, text='{"category": "other"}\n')
    _rows, card = unzip(as_user(people.lead).get(url("study-preferences", people, study.id)))
    assert "| pairs whose two answers are the same text (left out) | 1 |" in card
