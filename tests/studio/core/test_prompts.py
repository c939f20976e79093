import pytest

from studio.core.prompts import ALPACA_WITH_INPUT, RenderError, histogram, render, to_messages, tokenize
from studio.core.records import Record


@pytest.fixture(scope="module")
def tokenizer(tiny_model_dir):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)


@pytest.fixture(scope="module")
def plain_tokenizer(tiny_model_dir):
    """The same tokenizer without a chat template: a base model, rendered with alpaca."""
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(tiny_model_dir, local_files_only=True)
    tok.chat_template = None
    return tok


def test_chat_template_rendering(tokenizer):
    rendered = render(Record("Say hi", "to Ana", "Hello, Ana!"), tokenizer)
    assert rendered.template == "chat"
    assert rendered.prompt == "<|im_start|>user\nSay hi\n\nto Ana<|im_end|>\n<|im_start|>assistant\n"
    assert rendered.completion == "Hello, Ana!<|im_end|>\n"


def test_alpaca_rendering_for_models_without_a_chat_template(plain_tokenizer):
    rendered = render(Record("Say hi", "to Ana", "Hello, Ana!"), plain_tokenizer)
    assert rendered.template == "alpaca"
    assert rendered.prompt == ALPACA_WITH_INPUT.format(instruction="Say hi", input="to Ana")
    assert rendered.completion == "Hello, Ana!<|im_end|>"
    with pytest.raises(RenderError, match="needs a model with a chat template"):
        render(
            Record.chat([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}] * 2), plain_tokenizer
        )


def test_only_answer_tokens_carry_loss(tokenizer):
    tokens = tokenize(render(Record("Say hi", "", "Hello!"), tokenizer), tokenizer, max_length=512)
    trained = [t for t, m in zip(tokens.input_ids, tokens.completion_mask) if m]
    assert tokenizer.decode(trained) == "Hello!<|im_end|>\n"
    assert tokens.n_prompt == tokens.completion_mask.index(1)
    assert not tokens.truncated


def test_truncation_is_reported(tokenizer):
    long = Record("Summarise", "word " * 300, "short")
    tokens = tokenize(render(long, tokenizer), tokenizer, max_length=64)
    assert tokens.truncated and tokens.length > 64 and len(tokens.input_ids) == 64
    assert sum(tokens.completion_mask) == 0  # the answer is past the cut: nothing would be learned


def test_a_chat_must_end_with_the_assistant(tokenizer):
    with pytest.raises(RenderError, match="last turn is not the assistant's"):
        render(Record.chat([{"role": "user", "content": "hi"}]), tokenizer)


def test_histogram_covers_every_length():
    bins = histogram([5, 7, 9, 30, 31, 100], bins=5)
    assert sum(c for _, _, c in bins) == 6
    assert bins[0][0] == 5 and bins[-1][1] >= 100


@pytest.mark.slow
def test_the_loss_mask_matches_what_trl_builds(tokenizer, tiny_model_dir, tmp_path):
    """What the pre-flight shows is what trl's SFTTrainer trains on, token for token."""
    from datasets import Dataset
    from transformers import AutoModelForCausalLM
    from trl import SFTConfig, SFTTrainer

    records = [
        Record("Triage the ticket.", "My parcel is late.", '{"category": "shipping", "priority": "high"}'),
        Record("Say hi", "", "Hello!"),
        Record.chat(
            [
                {"role": "system", "content": "Be brief."},
                {"role": "user", "content": "Hi"},
                {"role": "assistant", "content": "Hello."},
                {"role": "user", "content": "Bye"},
                {"role": "assistant", "content": "Bye!"},
            ]
        ),
    ]
    rows = [{"prompt": to_messages(r)[:-1], "completion": to_messages(r)[-1:]} for r in records]
    model = AutoModelForCausalLM.from_pretrained(tiny_model_dir, local_files_only=True)
    config = SFTConfig(output_dir=str(tmp_path), bf16=False, use_cpu=True, max_length=None, report_to=[])
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows), processing_class=tokenizer)
    for record, row in zip(records, trainer.train_dataset):
        ours = tokenize(render(record, tokenizer), tokenizer, max_length=10_000)
        assert ours.input_ids == row["input_ids"]
        assert [t if m else -100 for t, m in zip(ours.input_ids, ours.completion_mask)] == row["labels"]
