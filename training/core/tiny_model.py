"""A tiny Llama-architecture causal LM built offline, for the demo and the tests.

Random weights, a byte-level BPE tokenizer trained on the fly with `tokenizers`, and a ChatML
chat template. It is saved with `save_pretrained` and loads with AutoModelForCausalLM /
AutoTokenizer, like any real checkpoint. Nothing is downloaded.
"""

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


def build_tiny_model(out_dir, corpus, *, vocab_size=1024, seed=0):
    """Build and save the tiny model and its tokenizer into out_dir; returns the path."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    out_dir = Path(out_dir)
    tokenizer = train_tokenizer(corpus, vocab_size=vocab_size)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
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
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    # safetensors writes 0600 whatever the umask; the web process may run as another user.
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
