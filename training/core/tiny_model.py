"""A tiny Llama-architecture causal LM built offline, for the demo and the tests.

A byte-level BPE tokenizer trained on the fly with `tokenizers`, a ChatML chat template, and
weights that start random and are then pretrained for a few hundred steps on generated support
conversations (customers' tickets answered by agents in plain prose), so the model knows the
language of the demo domain the way a real base model knows its languages, but has never seen
the demo's JSON answers nor any of the demo's own tickets. It is saved with `save_pretrained` and
loads with AutoModelForCausalLM / AutoTokenizer, like any real checkpoint. Nothing is downloaded.

The folder also carries `studio_recommended.json`: the launch settings that suit this model (a
tiny model learns with a learning rate a hundred times a 7B model's), which the studio reads
when the folder is registered and the launch form starts from.

`ensure_tiny_model(folder)` builds it once and reuses it while the code that makes it is
unchanged (a stamp of that code's content sits beside the folder).
"""

import hashlib
import json
import math
import random
import shutil
import time
from pathlib import Path

SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]

# ChatML; the {% generation %} markers let trainers find the assistant's tokens.
CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{% if message['role'] == 'assistant' %}"
    "{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}{{ '\\n' }}"
    "{% else %}"
    "{{ message['content'] + '<|im_end|>' + '\\n' }}"
    "{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

# A little ordinary prose so the tokenizer sees common English beyond the training corpus.
GENERAL_TEXT = """\
The quick brown fox jumps over the lazy dog. A journey of a thousand miles begins with a single step.
Please answer the question below. Explain your reasoning in plain words, then give the result.
Summarise the following text in one sentence. Translate the sentence into French.
Write a short, friendly reply to the customer. Return the answer as JSON with the keys shown.
{"answer": "yes", "confidence": 0.9} [1, 2, 3] 0123456789 + - * / = < > ( ) ; : ! ? ' " @ # % & _
"""


def train_tokenizer(corpus, vocab_size=1024):
    """A byte-level BPE tokenizer (every byte is in the alphabet, so any text encodes)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(list(corpus) + [GENERAL_TEXT], trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        bos_token=None,
        unk_token=None,
        chat_template=CHAT_TEMPLATE,
        model_input_names=["input_ids", "attention_mask"],
        model_max_length=2048,
    )


def build_tiny_model(out_dir, corpus, *, vocab_size=1024, seed=0, pretrain_steps=None, report=None):
    """Build, pretrain and save the tiny model and its tokenizer into out_dir; returns the path.

    pretrain_steps: None for the full pretraining (PRETRAIN["steps"]), 0 for random weights."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    out_dir = Path(out_dir)
    tokenizer = train_tokenizer(corpus, vocab_size=vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        **ARCH,
        max_position_embeddings=2048,
        tie_word_embeddings=True,
        bos_token_id=None,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(seed)
    model = LlamaForCausalLM(config)
    # With the default std of 0.02 a random tiny base plus LoRA plateaus; a wider embedding
    # init lets it learn (measured, see NOTES.md). Real pretrained bases do not need this.
    with torch.no_grad():
        model.get_input_embeddings().weight.normal_(mean=0.0, std=0.15)
    steps = PRETRAIN["steps"] if pretrain_steps is None else pretrain_steps
    if steps:
        pretrain(model, tokenizer, pretraining_corpus(seed=seed), steps=steps, seed=seed, report=report)
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    # safetensors writes 0600 whatever the umask; the web process may run as another user.
    (out_dir / RECOMMENDED_FILE).write_text(json.dumps(RECOMMENDED, indent=2) + "\n")
    for path in out_dir.iterdir():
        path.chmod(0o644)
    return out_dir


def default_corpus():
    """The texts the demo tokenizer is trained on: the demo tickets, rendered as chats."""
    from curation.core.demo_tickets import make_examples

    texts = []
    for ex in make_examples():
        texts.append(f"<|im_start|>user\n{ex.instruction}\n\n{ex.input}<|im_end|>\n")
        texts.append(f"<|im_start|>assistant\n{ex.output}<|im_end|>\n")
    return texts


# The model's shape: small enough to train in seconds on a CPU, wide enough to learn the demo.
ARCH = {
    "hidden_size": 128,
    "intermediate_size": 256,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
}

# What the pretraining does; part of the stamp, so changing it rebuilds the model.
PRETRAIN = {"steps": 400, "seq_len": 192, "batch": 16, "lr": 5e-3, "warmup": 30, "tickets": 3000}

# Launch settings for this model: LoRA on 430k briefly pretrained parameters needs a learning rate
# fifty times the guides' 2e-4 for billion-parameter models, and more, smaller steps; with them a run
# on the demo answers in valid JSON with the right category (measured in benchmarks/demo_learning.py;
# with 3 epochs of 8 the category stays near chance). The category is learnt late: 6 or 8 epochs
# gave 0.52 right on this machine (twice, two builds of the model), 10 gave 0.96 on both builds.
RECOMMENDED_FILE = "studio_recommended.json"
RECOMMENDED = {"learning_rate": 1e-2, "epochs": 10.0, "batch_size": 4, "lora_r": 16, "lora_alpha": 32}

# Ways a person asks for a reply in plain words (never the demo's JSON instruction).
ASKS = [
    "",
    "Write a short reply to this customer.",
    "Answer this customer's message.",
    "Reply to the ticket below.",
    "Draft a friendly first reply.",
]

TRIAGE_ASKS = [
    "Which team should handle this ticket, and how urgent is it?",
    "Triage this ticket in one sentence.",
    "Is this ticket about billing, technical, account, shipping, returns or feedback? How urgent is it (low, normal, high, urgent)?",
    "Give the ticket's category (billing, technical, account, shipping, returns, feedback) and priority (low, normal, high, urgent).",
]
TRIAGE_NOTES = [
    "This is a {category} ticket with {priority} priority.",
    "The {category} team should take this one; priority {priority}.",
    "Team: {category}. Urgency: {priority}.",
    "category: {category}, priority: {priority}",
    "Category {category}; priority {priority}.",
]


def pretraining_corpus(seed=0, n=None):
    """Support conversations in the demo's domain, as chats: a customer's ticket (sometimes after
    a plain request for a reply) and the agent's reply in prose. Made by the demo's own ticket
    generator with other seeds; none of the demo's tickets is among them, so its test split stays
    unseen, and no answer is JSON, so the JSON format is left for fine-tuning to teach."""
    from curation.core.demo_tickets import make_examples

    n = n or PRETRAIN["tickets"]
    demo_inputs = {ex.input for ex in make_examples()}
    rng = random.Random(seed)
    texts = []
    for ex in make_examples(n=n, seed=1000 + seed):
        if ex.input in demo_inputs:
            continue
        answer = json.loads(ex.output)
        if rng.random() < 0.5:  # how a support lead talks about a ticket: its team and urgency
            ask = rng.choice(TRIAGE_ASKS)
            reply = rng.choice(TRIAGE_NOTES).format(**answer)
        else:
            ask = rng.choice(ASKS)
            reply = answer["reply"]
        user = f"{ask}\n\n{ex.input}" if ask else ex.input
        texts.append(f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n{reply}<|im_end|>\n")
        if rng.random() < 0.3:
            texts.append(_record_line(rng, ex.input.splitlines()[-1]))
    return texts


def _record_line(rng, name):
    """A line of the shop's JSON records (orders, accounts): JSON syntax in the domain's words,
    with other keys than the demo's answers."""
    from curation.core.demo_tickets import PLANS, PRODUCTS

    if rng.random() < 0.5:
        record = {
            "order": f"#{rng.randint(10000, 99999)}",
            "customer": name,
            "product": rng.choice(PRODUCTS),
            "status": rng.choice(["paid", "shipped", "delivered", "returned", "refunded"]),
        }
    else:
        record = {
            "customer": name,
            "plan": rng.choice(PLANS),
            "seats": rng.randint(1, 40),
            "state": rng.choice(["active", "trial", "cancelled", "overdue"]),
            "note": rng.choice(["renews next month", "asked about invoices", "new team", "moved to annual billing"]),
        }
    return json.dumps(record, ensure_ascii=False) + "\n"


def pretrain(model, tokenizer, texts, *, steps, seed=0, report=None):
    """Next-token training of every weight on whole documents (one per row, cut at
    PRETRAIN["seq_len"] tokens, so an answer always sees its ticket), AdamW with warmup then
    cosine decay; deterministic for a seed. Returns the loss history."""
    import torch

    seq_len, batch = PRETRAIN["seq_len"], PRETRAIN["batch"]
    rng = random.Random(seed)
    texts = list(texts)
    rng.shuffle(texts)
    docs = [ids[:seq_len] for ids in tokenizer(texts, add_special_tokens=False)["input_ids"]]
    pad = tokenizer.pad_token_id
    generator = torch.Generator().manual_seed(seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=PRETRAIN["lr"], weight_decay=0.0)
    warmup = PRETRAIN["warmup"]

    def rate(step):
        if step < warmup:
            return (step + 1) / warmup
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, rate)
    model.train()
    losses = []
    started = time.monotonic()
    for step in range(steps):
        picked = [docs[i] for i in torch.randint(len(docs), (batch,), generator=generator).tolist()]
        width = max(len(d) for d in picked)
        ids = torch.tensor([d + [pad] * (width - len(d)) for d in picked])
        mask = torch.tensor([[1] * len(d) + [0] * (width - len(d)) for d in picked])
        loss = model(input_ids=ids, attention_mask=mask, labels=ids.masked_fill(mask == 0, -100)).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if report and (step % 50 == 0 or step == steps - 1):
            report(f"pretraining step {step + 1}/{steps}: loss {loss.item():.3f} ({time.monotonic() - started:.0f} s)")
    model.eval()
    return losses


def source_stamp():
    """A hash of everything that decides the built model: this module and the ticket generator."""
    import curation.core.demo_tickets

    digest = hashlib.sha256()
    for path in (__file__, curation.core.demo_tickets.__file__):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


def ensure_tiny_model(folder, report=None):
    """The tiny model in folder: built when missing or made by other code, else reused as it is.
    Returns (folder, built?)."""
    folder = Path(folder)
    stamp_file = folder.parent / f"{folder.name}.stamp"
    stamp = source_stamp()
    if (folder / "model.safetensors").is_file() and stamp_file.is_file() and stamp_file.read_text() == stamp:
        return folder, False
    building = folder.parent / f"{folder.name}.building"
    shutil.rmtree(building, ignore_errors=True)
    build_tiny_model(building, default_corpus(), report=report)
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    stamp_file.write_text(stamp)
    return folder, True
